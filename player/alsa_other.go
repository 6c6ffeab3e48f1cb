//go:build !linux

package player

func quietALSA() {}
