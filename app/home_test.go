package app

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"marquee/catalog"
	"marquee/catalog/poster"
	"marquee/player"
	"marquee/torrent/torrenttest"
)

// Tapping a poster opens the title's page; Play streams the film from a loopback swarm
// into the player view, which feeds the library: leaving it saves where playback stopped.
func TestTapPosterOpensDetailAndPlayOpensPlayer(t *testing.T) {
	path := film(t, shortFilm)
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Path: path, UploadCaps: []int64{4 << 20}})
	title := movie("short", "Short Film", 2024, catalog.Source{Magnet: swarm.Magnet, Quality: "240p"})
	env := newTestEnv(t, []catalog.Provider{newStaticProvider("test", "Test films", title)})
	id := catalog.JoinID("test", "short")

	waitFor(t, "the poster on the Test films row", 20*time.Second, func() bool { return cardFor(env.u, "test", id) != nil })
	onUI(func() { test.Tap(cardFor(env.u, "test", id)) })
	d := uiValue(func() *detail { return env.u.currentDetail })
	if top := uiValue(func() string { return env.u.nav.top().name }); top != pageDetail || d == nil || d.title.ID != id {
		t.Fatalf("after tapping the poster the page is %q showing %v, want the detail page of %s", top, d, id)
	}
	if got := uiValue(func() string { return d.play.Text }); got != "Play" {
		t.Fatalf("a title never played offers %q, want Play", got)
	}
	if got := uiValue(d.indicator.Text); !strings.HasPrefix(got, "Seeding on") || !uiValue(d.indicator.Visible) {
		t.Fatalf("the detail page's seeding indicator says %q", got)
	}

	onUI(func() { env.u.banners.show("test-banner", problem{Title: "Something is offline"}) })
	if uiValue(func() bool { return onScreen(env, env.u.banners.box) }) {
		t.Fatal("a home notice covers the detail page")
	}
	onUI(func() { test.Tap(d.play) })
	if top := uiValue(func() string { return env.u.nav.top().name }); top != pagePlayer {
		t.Fatalf("after Play the page is %q, want the player", top)
	}
	if uiValue(func() bool { return onScreen(env, env.u.banners.box) }) {
		t.Fatal("a home notice covers the film")
	}
	pb := uiValue(func() *playback { return env.u.playback })
	if !uiValue(pb.indicator.Visible) {
		t.Fatal("the player view hides whether we upload")
	}
	waitFor(t, "pictures on screen", 60*time.Second, func() bool {
		return playerState(env.u) == player.StatePlaying && pb.video.framesPainted.Load() > 5
	})
	if tor, _ := pb.currentTorrent(); tor == nil || tor.InfoHash() != swarm.InfoHash {
		t.Fatalf("the player view streams %v, want the swarm's torrent %s", tor, swarm.InfoHash)
	}
	// The seek bar draws what the engine has: once the swarm has sent everything the
	// whole bar is downloaded.
	waitFor(t, "the whole film downloaded and drawn on the seek bar", 60*time.Second, func() bool {
		d := pb.seek.downloaded
		return len(d) == 1 && d[0].Start == 0 && d[0].End == 1
	})
	waitFor(t, "playback past 2 s", 30*time.Second, func() bool {
		p := pb.currentPlayer()
		return p.Position() > 2*time.Second
	})
	recent, err := env.svc.library.RecentlyPlayed(0)
	if err != nil || len(recent) == 0 || recent[0].TitleID != id {
		t.Fatalf("recently played = %+v (%v), want %s first", recent, err, id)
	}

	typeKey(env, fyne.KeyEscape)
	if top := uiValue(func() string { return env.u.nav.top().name }); top != pageDetail {
		t.Fatalf("Esc in the player leads to %q, want the detail page", top)
	}
	onUI(env.u.nav.back)
	if !uiValue(func() bool { return onScreen(env, env.u.banners.box) && env.u.banners.has("test-banner") }) {
		t.Fatal("the notice is not on the home page")
	}
	onUI(func() { env.u.openDetail(d.title); d = env.u.currentDetail })
	select {
	case <-pb.stopped:
	case <-time.After(30 * time.Second):
		t.Fatal("the player did not stop after leaving its view")
	}
	pos, ok := env.svc.library.Resume(id, 0)
	if !ok || pos.Position < 2*time.Second || pos.Duration < 20*time.Second {
		t.Fatalf("saved position %+v (found %v), want past 2 s of a 24 s film", pos, ok)
	}
	onUI(func() { d.refresh() })
	if got := uiValue(func() string { return d.play.Text }); !strings.HasPrefix(got, "Resume from 0:0") {
		t.Fatalf("after watching a bit the button says %q, want Resume from 0:0x", got)
	}
	waitFor(t, "the title on the Continue watching row", 20*time.Second, func() bool {
		c := cardFor(env.u, rowContinue, id)
		return c != nil && c.progress > 0
	})
}

// My list: the detail page's button puts the title on the "My list" row and takes it off.
func TestMyListButtonFillsTheRow(t *testing.T) {
	title := movie("fav", "Favourite Film", 1999, catalog.Source{Magnet: "magnet:?xt=urn:btih:" + strings.Repeat("ab", 20)})
	env := newTestEnv(t, []catalog.Provider{newStaticProvider("test", "Test films", title)})
	id := catalog.JoinID("test", "fav")
	waitFor(t, "the poster", 20*time.Second, func() bool { return cardFor(env.u, "test", id) != nil })
	onUI(func() { test.Tap(cardFor(env.u, "test", id)) })
	d := uiValue(func() *detail { return env.u.currentDetail })
	// The write (a bbolt commit, fsync'd) happens off the UI goroutine: with the task
	// goroutine held, the tap returns and nothing is written yet.
	hold := make(chan struct{})
	env.u.tasks.Push(func() { <-hold })
	onUI(func() { test.Tap(d.fav) })
	if env.svc.library.IsFavorite(id) {
		t.Fatal("My list wrote the library on the UI goroutine")
	}
	close(hold)
	waitFor(t, "the favorite saved and shown", 10*time.Second, func() bool {
		return env.svc.library.IsFavorite(id) && d.fav.Text == "In My list"
	})
	onUI(func() { test.Tap(d.watched) })
	waitFor(t, "the watched mark saved and shown", 10*time.Second, func() bool {
		return env.svc.library.IsWatched(id) && d.watched.Text == "Watched"
	})
	onUI(env.u.nav.back)
	waitFor(t, "the title on My list", 20*time.Second, func() bool { return cardFor(env.u, rowMyList, id) != nil })
	onUI(func() { test.Tap(cardFor(env.u, rowMyList, id)) })
	d = uiValue(func() *detail { return env.u.currentDetail })
	onUI(func() { test.Tap(d.fav) })
	onUI(env.u.nav.back)
	waitFor(t, "the My list row to empty", 20*time.Second, func() bool { return cardFor(env.u, rowMyList, id) == nil })
}

// The search grid is virtualised: 5,000 matching titles create only the cards on screen
// and fetch only the pages scrolled to.
func TestSearchGridPagesThroughThousandsOfTitles(t *testing.T) {
	const n = 5000
	titles := make([]catalog.Title, n)
	for i := range titles {
		titles[i] = movie(fmt.Sprintf("t%04d", i), fmt.Sprintf("Archive Reel %04d", i), 1900+i%120, catalog.Source{})
		titles[i].Popularity = float64(n - i)
	}
	env := newTestEnv(t, []catalog.Provider{newStaticProvider("big", "Big archive", titles...)})
	g := env.u.home.grid
	var cardsMade atomic.Int64
	onUI(func() {
		create := g.grid.CreateItem
		g.grid.CreateItem = func() fyne.CanvasObject { cardsMade.Add(1); return create() }
		env.u.home.search.SetText("archive reel")
		env.u.home.applyQuery()
	})
	waitFor(t, "the first page of results", 20*time.Second, func() bool { return g.total == n && len(g.pages[0]) == gridPageSize })
	if got := uiValue(func() string { return g.status.Text }); !strings.Contains(got, "5000 titles") {
		t.Fatalf("grid status %q, want 5000 titles", got)
	}
	first := uiValue(func() catalog.Title { return g.Titles()[0] })
	if first.Name != "Archive Reel 0000" {
		t.Fatalf("first result %q, want the most popular, Archive Reel 0000", first.Name)
	}
	onUI(func() { g.grid.ScrollToBottom() })
	last := (n - 1) / gridPageSize
	waitFor(t, "the last page after scrolling to the bottom", 20*time.Second, func() bool { return len(g.pages[last]) > 0 })
	pages := uiValue(func() int { return len(g.pages) })
	if pages > 4 {
		t.Fatalf("%d pages fetched for a view of the top and the bottom, want at most 4", pages)
	}
	if made := cardsMade.Load(); made == 0 || made > 200 {
		t.Fatalf("%d cards created for %d titles, want only about a screenful", made, n)
	}
	// Clearing the search goes back to the rows.
	onUI(func() { env.u.home.search.SetText(""); env.u.home.applyQuery() })
	if got := uiValue(func() fyne.CanvasObject { return env.u.home.body.Objects[0] }); got != env.u.home.rowsView {
		t.Fatal("an empty search did not bring the rows back")
	}
}

// The genre menu filters through the catalog; sorting by newest puts the latest year first.
func TestGenreFilterAndSort(t *testing.T) {
	a := movie("a", "Old Comedy", 1931, catalog.Source{})
	a.Genres = []string{"Comedy"}
	b := movie("b", "New Comedy", 2011, catalog.Source{})
	b.Genres = []string{"Comedy"}
	c := movie("c", "Some Drama", 2020, catalog.Source{})
	c.Genres = []string{"Drama"}
	env := newTestEnv(t, []catalog.Provider{newStaticProvider("g", "Genres", a, b, c)})
	h := env.u.home
	waitFor(t, "the genre menu", 20*time.Second, func() bool {
		return strings.Contains(strings.Join(h.genre.Options, ","), "Comedy")
	})
	onUI(func() { h.sort.SetSelected("Newest"); h.genre.SetSelected("Comedy") })
	// The built-in catalog has comedies too; ours must be among them, in year order.
	waitFor(t, "comedies", 20*time.Second, func() bool { return h.grid.total >= 2 && len(h.grid.Titles()) == h.grid.total })
	got := uiValue(func() []catalog.Title { return h.grid.Titles() })
	var names []string
	for i, ti := range got {
		names = append(names, ti.Name)
		if !slices.Contains(ti.Genres, "Comedy") {
			t.Errorf("%q (%v) is listed under Comedy", ti.Name, ti.Genres)
		}
		if i > 0 && ti.Year > got[i-1].Year {
			t.Errorf("%q (%d) follows %q (%d) in newest-first order", ti.Name, ti.Year, got[i-1].Name, got[i-1].Year)
		}
	}
	if !slices.Contains(names, "New Comedy") || !slices.Contains(names, "Old Comedy") || slices.Contains(names, "Some Drama") {
		t.Fatalf("comedies = %q", names)
	}
}

// Posters load in the background: a card shows its title card at once, then the poster
// from the (local) server.
func TestPosterReplacesTitleCardWhenLoaded(t *testing.T) {
	var buf bytes.Buffer
	img := image.NewNRGBA(image.Rect(0, 0, 40, 60))
	for i := range img.Pix {
		img.Pix[i] = []byte{0x00, 0xC0, 0x30, 0xFF}[i%4]
	}
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release // the card must not wait for the poster
		w.Header().Set("Content-Type", "image/png")
		w.Write(buf.Bytes())
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })

	title := movie("p", "Poster Film", 2001, catalog.Source{})
	title.Poster = srv.URL + "/poster.png"
	env := newTestEnv(t, []catalog.Provider{newStaticProvider("p", "Posters", title)})
	loader := poster.NewLoader(poster.Options{Client: srv.Client(), Timeout: 30 * time.Second})
	t.Cleanup(loader.Close)
	onUI(func() {
		env.svc.posters = newPosterCache(loader, poster.Placeholder)
		env.u.home.rows = map[string]*titleRow{}
		env.u.home.reloadRows()
	})
	id := catalog.JoinID("p", "p")
	waitFor(t, "the card", 20*time.Second, func() bool { return cardFor(env.u, "p", id) != nil })
	c := uiValue(func() *card { return cardFor(env.u, "p", id) })
	placeholder := uiValue(func() image.Image { return c.poster })
	if placeholder == nil || placeholder.Bounds().Dx() != cardPosterWidth {
		t.Fatalf("before the poster arrives the card shows %v, want a %d-wide title card", placeholder, cardPosterWidth)
	}
	release <- struct{}{}
	waitFor(t, "the poster", 20*time.Second, func() bool {
		p := c.poster
		if p == nil || p == placeholder {
			return false
		}
		r, g, _, _ := p.At(p.Bounds().Dx()/2, p.Bounds().Dy()/2).RGBA()
		return r>>8 < 0x20 && g>>8 > 0xA0
	})
}

// Ctrl+V with a magnet in the clipboard adds it to My torrents and opens the player, in the
// "magnet://?" form too, which the command line has always played.
func TestCtrlVPlaysACopiedMagnet(t *testing.T) {
	path := film(t, tinyFilm)
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Path: path})
	env := newTestEnv(t, nil)
	onUI(func() {
		env.app.Clipboard().SetContent(strings.Replace(swarm.Magnet, "magnet:?", "magnet://?", 1))
		env.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktopShortcutPaste)
	})
	waitFor(t, "the player view", 20*time.Second, func() bool { return env.u.nav.top().name == pagePlayer })
	pb := uiValue(func() *playback { return env.u.playback })
	waitFor(t, "pictures from the pasted magnet", 60*time.Second, func() bool { return pb.video.framesPainted.Load() > 0 })
	torrents, err := env.svc.library.Torrents()
	if err != nil || len(torrents) != 1 || torrents[0].InfoHash != swarm.InfoHash {
		t.Fatalf("my torrents = %+v (%v), want the pasted magnet", torrents, err)
	}

	// Text that is no magnet explains itself instead.
	onUI(func() {
		env.app.Clipboard().SetContent("hello")
		env.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktopShortcutPaste)
	})
	if !uiValue(func() bool { return env.win.Canvas().Overlays().Top() != nil }) {
		t.Fatal("pasting text that is not a magnet gave no explanation")
	}
}

// "See all" shows only on a row that holds fewer titles than its provider has.
func TestSeeAllOnlyWhenTheRowHoldsLess(t *testing.T) {
	var few, many []catalog.Title
	for i := range 3 {
		few = append(few, movie(fmt.Sprint("few", i), fmt.Sprint("Few ", i), 2000+i, catalog.Source{}))
	}
	for i := range rowLength + 5 {
		many = append(many, movie(fmt.Sprint("many", i), fmt.Sprint("Many ", i), 1990+i%30, catalog.Source{}))
	}
	env := newTestEnv(t, []catalog.Provider{newStaticProvider("few", "Few", few...), newStaticProvider("many", "Many", many...)})
	waitFor(t, "both rows", 20*time.Second, func() bool { return len(rowCards(env.u, "few")) == 3 && len(rowCards(env.u, "many")) == rowLength })
	if uiValue(env.u.home.rows["few"].seeAll.Visible) {
		t.Error("a row with all 3 of its titles offers See all")
	}
	if !uiValue(env.u.home.rows["many"].seeAll.Visible) {
		t.Errorf("a row with %d of %d titles hides See all", rowLength, rowLength+5)
	}
}

// answeringProvider lists genres only once it has answered a search, like the Internet
// Archive's provider.
type answeringProvider struct {
	*staticProvider
	answered atomic.Bool
}

func (p *answeringProvider) Search(ctx context.Context, q catalog.Query) (catalog.Page, error) {
	time.Sleep(200 * time.Millisecond) // answers after the first genre load
	p.answered.Store(true)
	return p.staticProvider.Search(ctx, q)
}

func (p *answeringProvider) Genres(context.Context) ([]string, error) {
	if !p.answered.Load() {
		return nil, nil
	}
	return []string{"Film Noir"}, nil
}

// The genre menu follows the providers: a genre appears once its provider has answered.
func TestGenreMenuFillsAsProvidersAnswer(t *testing.T) {
	noir := movie("detour", "Detour", 1945, catalog.Source{})
	noir.Genres = []string{"Film Noir"}
	p := &answeringProvider{staticProvider: newStaticProvider("noir", "Noir", noir)}
	env := newTestEnv(t, []catalog.Provider{p})
	waitFor(t, "the genre of the provider that answered", 20*time.Second, func() bool {
		return slices.Contains(env.u.home.genre.Options, "Film Noir")
	})
}

// Over a row longer than the window, arrows show on hover where the row can move; ›
// scrolls it by whole posters and brings ‹ up; leaving the row takes them away.
func TestRowArrowsOnHoverScrollTheRow(t *testing.T) {
	setForTest(t, &rowArrowsLinger, 10*time.Millisecond)
	var titles []catalog.Title
	for i := range 20 {
		titles = append(titles, movie(fmt.Sprint("m", i), fmt.Sprint("Many ", i), 1990+i, catalog.Source{}))
	}
	env := newTestEnv(t, []catalog.Provider{newStaticProvider("many", "Many", titles...)})
	waitFor(t, "the long row", 20*time.Second, func() bool { return len(rowCards(env.u, "many")) == 20 })
	r := uiValue(func() *titleRow { return env.u.home.rows["many"] })
	if uiValue(r.left.Visible) || uiValue(r.right.Visible) {
		t.Fatal("arrows show before the pointer is over the row")
	}
	first := rowCards(env.u, "many")[0]
	onUI(func() { first.MouseIn(&desktop.MouseEvent{}) })
	if uiValue(r.left.Visible) || !uiValue(func() bool { return onScreen(env, r.right) }) {
		t.Fatalf("hovering the row's start shows left %v, right %v; want only ›", uiValue(r.left.Visible), uiValue(r.right.Visible))
	}
	// From the poster onto the arrow: the arrows stay.
	onUI(func() { first.MouseOut(); r.right.MouseIn(&desktop.MouseEvent{}) })
	time.Sleep(5 * rowArrowsLinger)
	if !uiValue(r.right.Visible) {
		t.Fatal("the › went away when the pointer moved onto it")
	}
	onUI(func() { test.Tap(r.right) })
	off := uiValue(func() float32 { return r.scroll.Offset.X })
	if step := cardPosterWidth + theme.Padding(); off < step || float32(int(off/step))*step != off {
		t.Fatalf("› scrolled the row to %v, want a whole number of posters", off)
	}
	if !uiValue(func() bool { return onScreen(env, r.left) }) {
		t.Fatal("after › the ‹ does not show")
	}
	onUI(func() { r.right.MouseOut() })
	waitFor(t, "the arrows to go once the pointer left", 5*time.Second, func() bool { return !r.left.Visible() && !r.right.Visible() })
	onUI(func() { r.left.Show(); test.Tap(r.left) })
	if off := uiValue(func() float32 { return r.scroll.Offset.X }); off != 0 {
		t.Fatalf("‹ left the row at %v, want back at its start", off)
	}
}

// renamedProvider is named by its address until it has loaded, as a feed is.
type renamedProvider struct {
	*staticProvider
	loadedName atomic.Pointer[string]
}

func (p *renamedProvider) Name() string {
	if n := p.loadedName.Load(); n != nil {
		return *n
	}
	return p.staticProvider.Name()
}

// "See all" opens the grid under the row's heading, also when the provider got its name
// after the row was made (the grid of a feed was headed "feed.json" under a row headed
// with the feed's name).
func TestSeeAllHeadsTheGridWithTheRowsName(t *testing.T) {
	var many []catalog.Title
	for i := range rowLength + 5 {
		many = append(many, movie(fmt.Sprint("many", i), fmt.Sprint("Many ", i), 1990+i%30, catalog.Source{}))
	}
	p := &renamedProvider{staticProvider: newStaticProvider("late", "late.json", many...)}
	env := newTestEnv(t, []catalog.Provider{p})
	waitFor(t, "the row", 20*time.Second, func() bool { return len(rowCards(env.u, "late")) == rowLength })
	name := "Late Named Films"
	p.loadedName.Store(&name)
	onUI(env.u.home.reload)
	r := uiValue(func() *titleRow { return env.u.home.rows["late"] })
	if got := uiValue(func() string { return r.name.Text }); got != name {
		t.Fatalf("the row is headed %q after the reload, want %q", got, name)
	}
	waitFor(t, "See all", 20*time.Second, r.seeAll.Visible)
	onUI(func() { test.Tap(r.seeAll) })
	if got := uiValue(func() string { return env.u.home.grid.label.Text }); got != name {
		t.Fatalf("See all headed the grid %q, want %q", got, name)
	}
}

// A row's scroll bar runs under its cards, not across their name and year lines.
func TestRowScrollBarStaysOffTheCards(t *testing.T) {
	titles := magnetFilms("s", "Film ", 12, 1950)
	env := newTestEnv(t, []catalog.Provider{newStaticProvider("films", "Films", titles...)})
	waitFor(t, "the row", 20*time.Second, func() bool { return len(rowCards(env.u, "films")) == 12 })
	for _, size := range []fyne.Size{fyne.NewSize(900, 600), fyne.NewSize(1280, 800)} {
		onUI(func() { env.win.Resize(size) })
		onUI(func() {
			drv := fyne.CurrentApp().Driver()
			r := env.u.home.rows["films"]
			var cardsEnd float32
			for _, c := range rowCards(env.u, "films") {
				cardsEnd = max(cardsEnd, drv.AbsolutePositionForObject(c).Y+c.Size().Height)
			}
			bars := 0
			for _, o := range test.WidgetRenderer(r.scroll).Objects() {
				if fmt.Sprintf("%T", o) != "*widget.scrollBarArea" || !o.Visible() || o.Size().Height == 0 {
					continue
				}
				bars++
				if top := drv.AbsolutePositionForObject(o).Y; top < cardsEnd-0.5 {
					t.Errorf("at %v the row's scroll bar starts at y=%v, over the cards, which end at %v", size, top, cardsEnd)
				}
			}
			if bars == 0 {
				t.Errorf("at %v the row has no scroll bar to check", size)
			}
			// Hovered, the bar grows to theme.ScrollBarSize, still under the cards.
			if band := drv.AbsolutePositionForObject(r.scroll).Y + r.scroll.Size().Height - cardsEnd; band < theme.ScrollBarSize() {
				t.Errorf("at %v the band under the cards is %v px, the hovered bar %v", size, band, theme.ScrollBarSize())
			}
		})
	}
}
