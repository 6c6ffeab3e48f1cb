package player

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stddef.h>

static void mq_alsa_silent(const char *file, int line, const char *function, int err, const char *fmt, ...) {}

// Installs a silent ALSA error handler, if libasound is present, without linking it:
// miniaudio loads it at run time too.
static void mq_quiet_alsa(void) {
	void *lib = dlopen("libasound.so.2", RTLD_NOW | RTLD_GLOBAL);
	if (!lib) return;
	typedef int (*set_handler)(void *);
	set_handler set = (set_handler)dlsym(lib, "snd_lib_error_set_handler");
	if (set) set((void *)mq_alsa_silent);
}
*/
import "C"

import "sync"

var alsaOnce sync.Once

// quietALSA stops libasound from printing a screenful of "cannot find card" errors to
// stderr each time DeviceAudio probes a machine without a sound card; miniaudio reports
// the failure through its return codes and the player falls back to the null device.
func quietALSA() { alsaOnce.Do(func() { C.mq_quiet_alsa() }) }
