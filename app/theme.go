package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// marqueeRed is the accent of buttons, the played part of the seek bar and focus rings.
var marqueeRed = color.NRGBA{R: 0xE5, G: 0x09, B: 0x14, A: 0xFF}

// darkTheme is a cinema-dark theme: near-black surfaces so posters and video carry the
// colour, one red accent.
type darkTheme struct{}

var _ fyne.Theme = darkTheme{}

func (darkTheme) Color(name fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch name {
	case theme.ColorNameBackground:
		return color.NRGBA{R: 0x14, G: 0x14, B: 0x14, A: 0xFF}
	case theme.ColorNameOverlayBackground, theme.ColorNameMenuBackground:
		return color.NRGBA{R: 0x1F, G: 0x1F, B: 0x1F, A: 0xFF}
	case theme.ColorNameInputBackground:
		return color.NRGBA{R: 0x2A, G: 0x2A, B: 0x2A, A: 0xFF}
	case theme.ColorNameButton:
		return color.NRGBA{R: 0x33, G: 0x33, B: 0x33, A: 0xFF}
	case theme.ColorNamePrimary, theme.ColorNameFocus, theme.ColorNameSelection:
		return marqueeRed
	case theme.ColorNameForeground:
		return color.NRGBA{R: 0xF2, G: 0xF2, B: 0xF2, A: 0xFF}
	case theme.ColorNameHover:
		return color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0x1A}
	case theme.ColorNameSeparator:
		return color.NRGBA{R: 0x2E, G: 0x2E, B: 0x2E, A: 0xFF}
	}
	return theme.DefaultTheme().Color(name, theme.VariantDark)
}

func (darkTheme) Font(s fyne.TextStyle) fyne.Resource     { return theme.DefaultTheme().Font(s) }
func (darkTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }
func (darkTheme) Size(n fyne.ThemeSizeName) float32       { return theme.DefaultTheme().Size(n) }
