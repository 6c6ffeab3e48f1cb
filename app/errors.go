package app

import (
	"errors"
	"fmt"
	"image/color"
	"io/fs"
	"path/filepath"
	"strings"
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

// problem is an error as the user reads it: what happened, and what to do about it. Details
// is the raw error, shown only behind a "Details" fold for a bug report.
type problem struct {
	Title   string
	What    string
	Todo    string
	Details string
}

func (p problem) String() string { return p.Title + ": " + p.What + " " + p.Todo }

// explain turns an error from the engine, the player, the catalog or the library into
// words for the user; the raw error goes to Details.
func explain(err error) problem {
	p := explainInWords(err)
	if err != nil {
		p.Details = err.Error()
	}
	return p
}

func explainInWords(err error) problem {
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
	case errors.Is(err, errOffline):
		return problem{
			Title: "You're offline",
			What:  "This computer has no network connection, so no peer, tracker or web seed could send the film.",
			Todo:  "Connect to the internet and press Retry. Films you have downloaded completely still play.",
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
			What:  "This torrent contains no video or audio file that Marquee can play.",
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
		return explainParseError(parseErr)
	case errors.Is(err, fs.ErrNotExist):
		var pathErr *fs.PathError
		name := "The file"
		if errors.As(err, &pathErr) {
			name = "“" + filepath.Base(pathErr.Path) + "”"
		}
		return problem{
			Title: "The file could not be found",
			What:  name + " is not there any more: it may have been moved, renamed or deleted.",
			Todo:  "Open it again from where it is now.",
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
		What:  "Marquee ran into a problem it did not expect.",
		Todo:  "Try again; if it keeps happening, pick another source. The details below help a bug report.",
	}
}

// explainParseError says what is wrong with a link or file the user gave, in their words:
// the usual cause of a broken magnet is a link cut short when it was copied.
func explainParseError(e *torrent.ParseError) problem {
	input := ""
	if e.Input != "" {
		input = "“" + e.Input + "” "
	}
	switch e.What {
	case "magnet link":
		why := "it does not name a torrent"
		if strings.Contains(e.Reason, "info hash") {
			why = "the code that names the film (the info hash) is the wrong length or has wrong characters"
		}
		return problem{
			Title: "This magnet link is broken",
			What:  "Marquee cannot use this link: " + why + ". Links are often cut short when they are copied.",
			Todo:  "Copy the whole link again (it starts with magnet:?xt=urn:btih: followed by 40 letters and digits) and paste it.",
		}
	case "info hash":
		return problem{
			Title: "This is not an info hash",
			What:  "An info hash is 40 letters and digits (0-9, a-f), or 32 letters and digits (A-Z, 2-7); " + input + "is not.",
			Todo:  "Copy the whole info hash again, or paste the film's magnet link instead.",
		}
	case "torrent source":
		return problem{
			Title: "Marquee cannot open this",
			What:  input + "is not a magnet link, an info hash, a .torrent file or a web address of one.",
			Todo:  "Paste a whole magnet link (magnet:?xt=urn:btih:…), or open a .torrent file.",
		}
	case ".torrent data", "torrent metadata":
		return problem{
			Title: "This .torrent file is damaged",
			What:  "Marquee cannot read this .torrent file: it is cut short, is not a .torrent at all, or describes files that cannot be stored safely.",
			Todo:  "Download the .torrent file again, or use the film's magnet link.",
		}
	}
	return problem{
		Title: "Marquee cannot open this",
		What:  "It is not a valid " + e.What + ".",
		Todo:  "Paste a whole magnet link (magnet:?xt=urn:btih:…), or open a .torrent file.",
	}
}

// detailsFold is the raw error behind a closed "Details" fold; nil when there is none.
func detailsFold(details string) fyne.CanvasObject {
	if details == "" {
		return nil
	}
	text := widget.NewLabel(details)
	text.Wrapping = fyne.TextWrapWord
	text.Selectable = true
	return widget.NewAccordion(widget.NewAccordionItem("Details", text))
}

// showErrorDialog tells the user about err in a dialog over the window.
func showErrorDialog(win fyne.Window, err error) {
	showProblemDialog(win, explain(err))
}

// showProblemDialog tells the user about p in a dialog over the window.
func showProblemDialog(win fyne.Window, p problem) {
	body := widget.NewLabel(p.What + "\n\n" + p.Todo)
	body.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(container.NewGridWrap(fyne.NewSize(420, 140), body))
	if fold := detailsFold(p.Details); fold != nil {
		content.Add(fold)
	}
	d := dialog.NewCustom(p.Title, "OK", content, win)
	d.Show()
}

// banners holds the home page's notices: problems that do not stop what the user is
// doing and belong to no one row (a full disk, a library in use, a port that was taken,
// a callback that failed). They sit between the home bar and the rows, one compact line
// each, and never over the detail page or the player. Each has a key, so a problem
// reported twice shows once. A provider's own state (offline, feed failed, the demo being
// prepared) goes in its row instead (titleRow.notice).
type banners struct {
	box      *fyne.Container
	shown    map[string]fyne.CanvasObject
	problems map[string]problem
}

func newBanners() *banners {
	return &banners{box: container.NewVBox(), shown: map[string]fyne.CanvasObject{}, problems: map[string]problem{}}
}

// show puts up (or replaces) the notice with this key.
func (b *banners) show(key string, p problem) {
	b.hide(key)
	n := newNotice()
	n.setProblem(p, wordsWrap)
	n.setAction("", theme.CancelIcon(), func() { b.hide(key) })
	b.shown[key] = n.box
	b.problems[key] = p
	b.box.Add(n.box)
}

// hide takes the notice with this key down, if it is up.
func (b *banners) hide(key string) {
	if o, ok := b.shown[key]; ok {
		b.box.Remove(o)
		delete(b.shown, key)
		delete(b.problems, key)
	}
}

// has reports whether the notice with this key is up.
func (b *banners) has(key string) bool {
	_, ok := b.shown[key]
	return ok
}

// noticeColour tints a notice line: enough to be seen, not so much that it shouts.
var noticeColour = color.NRGBA{R: 0x3A, G: 0x1A, B: 0x1C, A: 0xFF}

// wordsFit says how a notice's words take the line: truncated to one line (inside a
// row), or wrapped (on the home page, where there is room for what to do).
type wordsFit int

const (
	wordsTruncate wordsFit = iota
	wordsWrap
)

// notice is one compact line: a warning icon, the words, and an optional button (Retry,
// or a close cross).
type notice struct {
	box    *fyne.Container
	icon   *widget.Icon
	words  *widget.Label
	button *widget.Button
	action func()
}

func newNotice() *notice {
	n := &notice{icon: widget.NewIcon(theme.WarningIcon()), words: widget.NewLabel("")}
	n.button = newButton("", nil, func() {
		if n.action != nil {
			n.action()
		}
	})
	n.button.Importance = widget.LowImportance
	n.button.Hide()
	bg := canvas.NewRectangle(noticeColour)
	bg.CornerRadius = 4
	n.box = container.NewStack(bg, container.NewBorder(nil, nil, n.icon, n.button, n.words))
	n.box.Hide()
	return n
}

// setProblem shows p's title and what happened (and, wrapped, what to do).
func (n *notice) setProblem(p problem, fit wordsFit) {
	if fit == wordsWrap {
		n.setText(joinNonEmpty(" — ", p.Title, joinNonEmpty(" ", p.What, p.Todo)), fit)
		return
	}
	n.setText(joinNonEmpty(" — ", p.Title, p.What), fit)
}

// setText shows the line with these words; busy shows an hourglass instead of a warning.
func (n *notice) setText(text string, fit wordsFit) {
	n.words.SetText(text)
	n.words.Wrapping = fyne.TextWrapOff
	n.words.Truncation = fyne.TextTruncateEllipsis
	if fit == wordsWrap {
		n.words.Wrapping = fyne.TextWrapWord
		n.words.Truncation = fyne.TextTruncateOff
	}
	n.words.Refresh()
	n.box.Show()
}

// setBusy swaps the warning icon for an hourglass, for a state that is progress rather
// than a problem (the demo being prepared).
func (n *notice) setBusy(busy bool) {
	if busy {
		n.icon.SetResource(theme.HistoryIcon())
	} else {
		n.icon.SetResource(theme.WarningIcon())
	}
}

// setAction puts a button at the end of the line; a nil action takes it away.
func (n *notice) setAction(label string, icon fyne.Resource, action func()) {
	n.action = action
	if action == nil {
		n.button.Hide()
		return
	}
	n.button.SetText(label)
	n.button.SetIcon(icon)
	n.button.Show()
}

// clear hides the line.
func (n *notice) clear() {
	n.action = nil
	n.button.Hide()
	n.box.Hide()
}

// Visible reports whether the line is up (tests read it).
func (n *notice) Visible() bool { return n.box.Visible() }

// Text is what the line says.
func (n *notice) Text() string { return n.words.Text }
