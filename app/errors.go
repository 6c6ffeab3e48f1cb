package app

import (
	"errors"
	"fmt"
	"image/color"
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"marquee/catalog"
	"marquee/catalog/library"
	"marquee/player"
	"marquee/torrent"
)

// errEngineUnavailable is what playback reports when the BitTorrent engine could not be
// started at all (see openServices); browsing still works.
var errEngineUnavailable = errors.New("the BitTorrent engine is not running")

// problem is an error as the user reads it: what happened, and what to do about it.
type problem struct {
	Title string
	What  string
	Todo  string
}

func (p problem) String() string { return p.Title + ": " + p.What + " " + p.Todo }

// explain turns an error from the engine, the player, the catalog or the library into
// words for the user. The raw error stays in What for the cases nobody can predict.
func explain(err error) problem {
	var (
		codecErr *player.CodecError
		parseErr *torrent.ParseError
		provErr  catalog.ProviderError
	)
	switch {
	case err == nil:
		return problem{}
	// A full disk can surface from the engine, the player's reads or the library; it is
	// checked first because the other errors may wrap it.
	case errors.Is(err, syscall.ENOSPC):
		return problem{
			Title: "Your disk is full",
			What:  "Marquee could not save downloaded data because there is no free space left on the disk that holds its cache.",
			Todo:  "Free some space, or lower the cache size or choose another cache folder in Settings → Cache, then try again. Your library is safe.",
		}
	case errors.Is(err, torrent.ErrMetadataTimeout):
		return problem{
			Title: "The film could not be found",
			What:  "No peer, tracker or web seed sent this torrent's details in time.",
			Todo:  "Check your internet connection and try again, or pick another source. Torrents with few seeders can take several minutes.",
		}
	case errors.Is(err, torrent.ErrNoPlayableFile):
		return problem{
			Title: "Nothing to play",
			What:  "This torrent contains no video file that Marquee can play.",
			Todo:  "Pick another source or another file of the torrent, or open a different torrent.",
		}
	case errors.As(err, &codecErr):
		return problem{
			Title: "Unsupported video format",
			What:  fmt.Sprintf("This film's %s uses the %s codec, which this build of FFmpeg cannot decode.", codecErr.Media, codecErr.Codec),
			Todo:  "Pick another source or quality of this title.",
		}
	case errors.Is(err, player.ErrUnsupportedCodec):
		return problem{
			Title: "Unsupported video format",
			What:  "This film uses a codec this build of FFmpeg cannot decode.",
			Todo:  "Pick another source or quality of this title.",
		}
	case errors.Is(err, player.ErrNoPicture), errors.Is(err, player.ErrTruncated):
		return problem{
			Title: "This file is damaged",
			What:  "Marquee could not play this film to its end: " + err.Error() + ".",
			Todo:  "Pick another file or source of this title.",
		}
	case errors.Is(err, player.ErrInvalidData), errors.Is(err, player.ErrNoStreams):
		return problem{
			Title: "This file cannot be played",
			What:  "The file is not a video Marquee recognises, or it is damaged: " + err.Error() + ".",
			Todo:  "Pick another file or source.",
		}
	case errors.As(err, &provErr) && errors.Is(err, catalog.ErrOffline):
		return problem{
			Title: provErr.Name + " is offline",
			What:  "Marquee could not reach " + provErr.Name + ", so its titles are missing for now.",
			Todo:  "Everything else keeps working. Check your connection; Marquee asks again on your next search.",
		}
	case errors.Is(err, catalog.ErrOffline):
		return problem{
			Title: "A catalog is offline",
			What:  err.Error() + ".",
			Todo:  "Everything else keeps working. Check your connection; Marquee asks again on your next search.",
		}
	case errors.As(err, &parseErr):
		return problem{
			Title: "Marquee cannot open this",
			What:  "It is not a valid " + parseErr.What + ": " + parseErr.Reason + ".",
			Todo:  "Paste a whole magnet link (magnet:?xt=urn:btih:…), or open a .torrent file.",
		}
	case errors.Is(err, library.ErrLocked):
		return problem{
			Title: "Another Marquee is running",
			What:  "Your library is open in another Marquee window, so this one keeps a temporary list that is forgotten when it closes.",
			Todo:  "Close the other window and restart Marquee to see your favorites and positions here.",
		}
	case errors.Is(err, errEngineUnavailable):
		return problem{
			Title: "Cannot download films",
			What:  err.Error() + ".",
			Todo:  "Check the cache folder and listen port in Settings, then restart Marquee.",
		}
	}
	return problem{
		Title: "Something went wrong",
		What:  err.Error() + ".",
		Todo:  "Try again; if it keeps happening, pick another source.",
	}
}

// showErrorDialog tells the user about err in a dialog over the window.
func showErrorDialog(win fyne.Window, err error) {
	p := explain(err)
	body := widget.NewLabel(p.What + "\n\n" + p.Todo)
	body.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(p.Title, "OK", container.NewGridWrap(fyne.NewSize(420, 140), body), win)
	d.Show()
}

// banners is the strip at the top of the window for problems that do not stop what the
// user is doing: a provider offline, a full disk, a library in use, a demo that could
// not start. Each has a key, so a problem reported twice shows once.
type banners struct {
	box      *fyne.Container
	shown    map[string]fyne.CanvasObject
	problems map[string]problem
}

func newBanners() *banners {
	return &banners{box: container.NewVBox(), shown: map[string]fyne.CanvasObject{}, problems: map[string]problem{}}
}

// show puts up (or replaces) the banner with this key.
func (b *banners) show(key string, p problem) {
	b.hide(key)
	title := canvas.NewText(p.Title, color.White)
	title.TextStyle.Bold = true
	body := widget.NewLabel(joinNonEmpty(" ", p.What, p.Todo))
	body.Wrapping = fyne.TextWrapWord
	closeBtn := newButton("", theme.CancelIcon(), func() { b.hide(key) })
	closeBtn.Importance = widget.LowImportance
	bg := canvas.NewRectangle(color.NRGBA{R: 0x5C, G: 0x12, B: 0x16, A: 0xF0})
	row := container.NewStack(bg, container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), closeBtn,
		container.NewVBox(container.NewPadded(title), body)))
	b.shown[key] = row
	b.problems[key] = p
	b.box.Add(row)
}

// hide takes the banner with this key down, if it is up.
func (b *banners) hide(key string) {
	if o, ok := b.shown[key]; ok {
		b.box.Remove(o)
		delete(b.shown, key)
		delete(b.problems, key)
	}
}

// has reports whether the banner with this key is up.
func (b *banners) has(key string) bool {
	_, ok := b.shown[key]
	return ok
}
