package app

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"marquee/catalog"
	"marquee/catalog/library"
	"marquee/torrent/source"
)

const (
	// rowLength is how many titles a home row holds; "See all" opens the grid.
	rowLength = 24
	// gridPageSize is how many titles the grid asks for at a time, as the user scrolls.
	gridPageSize = 60
	// searchDelay lets the user finish typing before a query runs.
	searchDelay = 250 * time.Millisecond
	allGenres   = "All genres"
)

// Row keys that are not provider IDs.
const (
	rowContinue = "continue"
	rowMyList   = "mylist"
)

var sortLabels = []string{"Popular", "Newest", "A–Z"}

// home is the first page: the top bar, and either rows (Continue watching, My list, one
// per provider) or, while searching or filtering, a grid of results.
type home struct {
	u *ui

	search *escEntry
	// searchOpen is set while the collapsed bar shows the search box.
	searchOpen   bool
	searchButton *widget.Button
	bar          *fyne.Container
	genre        *menuSelect
	sort         *menuSelect

	rowsBox  *fyne.Container
	rowsView *container.Scroll
	rows     map[string]*titleRow
	rowKeys  []string // the rows in the order shown
	focus    cardFocus
	hero     *hero
	grid     *titleGrid
	body     *fyne.Container

	searchTimer *time.Timer
	// genreLoads counts genre menu loads, so that an older answer is dropped.
	genreLoads int
	// genresAnswered holds the providers whose first answer has reloaded the genre menu.
	genresAnswered map[string]bool
}

func newHome(u *ui) *home {
	h := &home{u: u, rows: map[string]*titleRow{}, genresAnswered: map[string]bool{}}
	h.search = newEscEntry(h.closeSearch)
	h.search.SetPlaceHolder("Search titles, genres…")
	h.search.OnChanged = guarded1("the search box", func(string) { h.searchSoon() })
	h.search.OnSubmitted = guarded1("the search box", func(string) { h.applyQuery() })
	h.genre = newMenuSelect([]string{allGenres}, nil)
	h.genre.SetSelected(allGenres)
	h.genre.OnChanged = guarded1("the genre menu", func(string) { h.applyQuery() })
	h.sort = newMenuSelect(sortLabels, nil)
	h.sort.SetSelected(sortLabels[0])
	h.sort.OnChanged = guarded1("the sort menu", func(string) { h.applyQuery() })
	h.rowsBox = container.NewVBox()
	h.rowsView = container.NewVScroll(h.rowsBox)
	h.grid = newTitleGrid(u)
	h.hero = newHero(u)
	h.hero.layout.onChange = func() { runOnUI(h.rowsView.Refresh) } // queued: not from inside a layout
	h.body = container.NewStack(h.rowsView)
	return h
}

func (h *home) content() fyne.CanvasObject {
	logo := canvas.NewText("MARQUEE", marqueeRed)
	logo.TextStyle = fyne.TextStyle{Bold: true}
	logo.TextSize = 22
	paste := newButton("Paste magnet", theme.ContentPasteIcon(), h.u.askForMagnet)
	open := newButton("Open .torrent", theme.FolderOpenIcon(), h.u.askForTorrentFile)
	pasteIcon := newButton("", theme.ContentPasteIcon(), h.u.askForMagnet)
	openIcon := newButton("", theme.FolderOpenIcon(), h.u.askForTorrentFile)
	h.searchButton = newButton("", theme.SearchIcon(), h.toggleSearch)
	settingsBtn := newButton("", theme.SettingsIcon(), h.u.openSettings)
	filters := container.NewHBox(h.genre, h.sort)
	actions := container.NewHBox(paste, open)
	iconActions := container.NewHBox(pasteIcon, openIcon)
	status := container.NewHBox(container.NewCenter(h.u.newSeedingIndicator()), settingsBtn)
	body := container.NewBorder(h.u.banners.box, nil, nil, nil, h.body)
	layout := &homeLayout{searchOpen: func() bool { return h.searchOpen || h.search.Text != "" }}
	h.bar = container.New(layout, container.NewCenter(logo), container.NewStack(h.search), filters, actions, status, body,
		container.NewStack(h.searchButton), iconActions)
	return h.bar
}

// toggleSearch is the collapsed bar's search button: it opens the search box under the
// bar and puts the cursor in it, or closes an empty one.
func (h *home) toggleSearch() {
	if h.searchOpen && h.search.Text == "" {
		h.closeSearch()
		return
	}
	h.focusSearch()
}

// focusSearch shows the search box (opening it in the collapsed bar) and puts the cursor
// in it.
func (h *home) focusSearch() {
	h.searchOpen = true
	h.bar.Refresh()
	h.u.attachContent()
	h.u.win.Canvas().Focus(h.search)
}

// closeSearch leaves the search box; the collapsed bar folds an empty one away.
func (h *home) closeSearch() {
	h.searchOpen = false
	h.u.win.Canvas().Unfocus()
	h.bar.Refresh()
}

// query is what the search box and menus ask for.
func (h *home) query() catalog.Query {
	q := catalog.Query{Text: strings.TrimSpace(h.search.Text), Sort: catalog.Sort(max(slices.Index(sortLabels, h.sort.Selected), 0))}
	if g := h.genre.Selected; g != allGenres {
		q.Genre = g
	}
	return q
}

func (h *home) searchSoon() {
	if h.searchTimer != nil {
		h.searchTimer.Stop()
	}
	h.searchTimer = time.AfterFunc(searchDelay, func() { runOnUI(h.applyQuery) })
}

// applyQuery shows the grid for a search or filter, or the rows when there is none.
func (h *home) applyQuery() {
	if h.searchTimer != nil {
		h.searchTimer.Stop()
	}
	q := h.query()
	if q.Text == "" && q.Genre == "" {
		if h.grid.providerID == "" {
			h.showRows()
		} else {
			h.grid.start(q, h.grid.providerID, h.grid.heading)
		}
		h.reloadRows()
		return
	}
	heading := "Results"
	if q.Text != "" {
		heading = "Results for “" + q.Text + "”"
	}
	if q.Genre != "" {
		heading = joinNonEmpty(" · ", heading, q.Genre)
	}
	// The same query again (Enter after the typing delay ran it) keeps the grid as it is.
	if !h.grid.showing(q, "") {
		h.grid.start(q, "", heading)
	}
	h.showGrid()
}

func (h *home) showRows() {
	h.grid.providerID = ""
	h.body.Objects = []fyne.CanvasObject{h.rowsView}
	h.body.Refresh()
	h.u.attachContent()
}

func (h *home) showGrid() {
	h.body.Objects = []fyne.CanvasObject{h.grid.content}
	h.body.Refresh()
	h.u.attachContent()
}

// seeAll opens the grid over one provider's titles.
func (h *home) seeAll(providerID, name string) {
	q := h.query()
	h.grid.start(q, providerID, name)
	h.showGrid()
}

// reload refreshes everything from the catalog and library: the genre menu, the rows,
// and the grid if it is showing.
func (h *home) reload() {
	h.loadGenres()
	h.applyQuery()
}

// loadGenres fills the genre menu from the catalog in the background: the genres of the
// titles the providers have, and of searches they answer.
func (h *home) loadGenres() {
	h.genreLoads++
	gen := h.genreLoads
	cat := h.u.svc.catalog
	h.u.background(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, catalog.DefaultProviderTimeout+time.Second)
		defer cancel()
		genres := cat.Genres(ctx)
		runOnUI(func() {
			if gen != h.genreLoads {
				return
			}
			h.genre.Options = append([]string{allGenres}, genres...)
			h.genre.Refresh()
		})
	})
}

// reloadRows rebuilds the row list and refills every row in the background.
func (h *home) reloadRows() {
	q := h.query()
	q.PageSize = rowLength

	keys := []string{rowContinue, rowMyList}
	names := map[string]string{rowContinue: "Continue watching", rowMyList: "My list"}
	providers := h.u.svc.catalog.Providers()
	// The local demo comes first among the providers: it is what --demo is for.
	slices.SortStableFunc(providers, func(a, b catalog.Provider) int {
		return boolRank(a.ID() == demoProviderID) - boolRank(b.ID() == demoProviderID)
	})
	for _, p := range providers {
		if !h.u.svc.catalog.Enabled(p.ID()) {
			continue
		}
		keys = append(keys, p.ID())
		names[p.ID()] = p.Name()
	}
	// A provider removed (a feed unsubscribed) or turned off loses its row for good.
	for k := range h.rows {
		if !slices.Contains(keys, k) {
			delete(h.rows, k)
		}
	}
	h.rowsBox.RemoveAll()
	h.rowsBox.Add(h.hero.box)
	h.rowKeys = keys
	for _, k := range keys {
		r := h.rows[k]
		if r == nil {
			key := k
			// The heading, not the name at this first fill: a feed is named by its file
			// until it has loaded.
			r = newTitleRow(h.u, h.rowsView, names[k], func() { h.seeAll(key, r.name.Text) })
			r.seeAll.Hide() // until the row's fill says there is more
			h.rows[k] = r
		}
		r.setName(names[k])
		h.rowsBox.Add(r.box)
		h.fillRow(k, q)
	}
	h.u.attachContent()
}

// refreshLibraryRows refills the rows that come from the library (Continue watching and
// My list), after the user played, finished or picked something.
func (h *home) refreshLibraryRows() {
	q := h.query()
	q.PageSize = rowLength
	h.fillRow(rowContinue, q)
	h.fillRow(rowMyList, q)
}

// fillRow fetches a row's titles in the background; an answer to an older fill of the
// same row is dropped.
func (h *home) fillRow(key string, q catalog.Query) {
	r := h.rows[key]
	if r == nil {
		return
	}
	r.fills++
	gen := r.fills
	h.u.background(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, catalog.DefaultProviderTimeout+time.Second)
		defer cancel()
		items, more, err := h.rowItems(ctx, key, q)
		runOnUI(func() {
			if gen != r.fills {
				return
			}
			h.providerAnswered(key, err)
			r.set(items)
			h.keepFocus(key)
			h.hero.show(h.featuredTitle())
			// "See all" only when there is more than the row shows.
			r.seeAll.Hidden = !more
			r.seeAll.Refresh()
			if err == nil && key != rowContinue && key != rowMyList && !h.genresAnswered[key] {
				// A provider's first answer may bring genres it could not offer before
				// (the Internet Archive's); later fills, one per search, bring none.
				h.genresAnswered[key] = true
				h.loadGenres()
			}
		})
	})
}

func boolRank(b bool) int {
	if b {
		return 0
	}
	return 1
}

// rowItem is a title on a row, with how much of it was watched.
type rowItem struct {
	title    catalog.Title
	progress float64
}

// rowItems fetches one row's titles. It runs off the UI goroutine.
// rowItems fetches a row's titles, and whether its provider has more than these.
func (h *home) rowItems(ctx context.Context, key string, q catalog.Query) (items []rowItem, more bool, err error) {
	lib := h.u.svc.library
	switch key {
	case rowContinue:
		recents, err := lib.ContinueWatching(rowLength)
		if err != nil {
			return nil, false, err
		}
		seen := map[string]bool{}
		for _, r := range recents {
			seriesID, _, _, isEpisode := splitEpisodeID(r.TitleID)
			id := r.TitleID
			if isEpisode {
				id = seriesID
			}
			if seen[id] {
				continue
			}
			t, ok := h.u.lookupTitle(ctx, id, r.Title)
			if !ok {
				continue
			}
			seen[id] = true
			items = append(items, rowItem{t, fractionOf(r.Position)})
		}
		return items, false, nil
	case rowMyList:
		ids, err := lib.Favorites()
		if err != nil {
			return nil, false, err
		}
		for _, id := range ids {
			if t, ok := h.u.lookupTitle(ctx, id, catalog.Title{}); ok {
				items = append(items, rowItem{title: t})
			}
		}
		return items, false, nil
	}
	page, err := h.u.svc.catalog.SearchProvider(ctx, key, q)
	items = make([]rowItem, len(page.Titles))
	for i, t := range page.Titles {
		items[i] = rowItem{title: t}
	}
	return items, page.HasMore || page.Total > len(items), err
}

// providerAnswered says in the provider's row whether its last answer failed, with a
// Retry that asks it again.
func (h *home) providerAnswered(key string, err error) {
	r := h.rows[key]
	if r == nil || errors.Is(err, context.Canceled) {
		return
	}
	if err == nil {
		r.failed = nil
		r.updateNotice()
		return
	}
	name := key
	if p, ok := h.u.svc.catalog.Provider(key); ok {
		name = p.Name()
	}
	p := explain(catalog.ProviderError{Provider: key, Name: name, Err: err})
	r.failed = &rowState{text: joinNonEmpty(" — ", p.Title, p.What), retry: func() { h.retryRow(key) }}
	r.updateNotice()
}

// retryRow asks a row's provider again, saying so in the row until it answers.
func (h *home) retryRow(key string) {
	r := h.rows[key]
	if r == nil {
		return
	}
	r.failed = &rowState{text: "Asking again…", busy: true}
	r.updateNotice()
	q := h.query()
	q.PageSize = rowLength
	h.fillRow(key, q)
}

// setRowStatus shows (or, with nil, clears) what background work says about a row: the
// demo film being prepared, or why it could not be.
func (h *home) setRowStatus(key string, st *rowState) {
	if r := h.rows[key]; r != nil {
		r.status = st
		r.updateNotice()
	}
}

// lookupTitle finds a title for the library rows: the catalog's current version, else
// the snapshot the library kept (so the rows still show when a provider is offline).
func (u *ui) lookupTitle(ctx context.Context, id string, snapshot catalog.Title) (catalog.Title, bool) {
	if t, err := u.svc.catalog.Get(ctx, id); err == nil {
		return t, true
	}
	if snapshot.ID != "" {
		return snapshot, true
	}
	return u.svc.library.Title(id)
}

// fraction is how much of the file was watched, 0 when unknown.
func fractionOf(p library.Position) float64 {
	if p.Duration <= 0 {
		return 0
	}
	return clamp01(float64(p.Position) / float64(p.Duration))
}

// titleRow is one horizontal row of cards under a heading, with a compact line for its
// provider's state under the heading.
type titleRow struct {
	u      *ui
	name   *widget.Label
	seeAll *widget.Button
	cards  *fyne.Container
	scroll *rowScroll
	empty  *widget.Label
	// shelf holds the posters (or "Loading…") and the arrows; a row with nothing to show
	// but its notice folds it away.
	shelf *fyne.Container
	box   *fyne.Container
	items []rowItem
	fills int // counts fills, so that an older answer is dropped

	notice *notice
	// left and right are the arrows shown over the row's ends on hover; hovers counts
	// the posters and arrows the pointer is over.
	left, right *rowArrow
	hovers      int
	// failed is the last fill's failure, status what background work says of the row;
	// the notice shows the failure first.
	failed, status *rowState
}

// rowState is a row's line about its provider.
type rowState struct {
	text  string
	busy  bool   // progress, not a problem
	retry func() // nil when retrying makes no sense
}

// newTitleRow makes a row that sits in page, the home page's vertical scroll.
func newTitleRow(u *ui, page *container.Scroll, name string, onSeeAll func()) *titleRow {
	r := &titleRow{u: u}
	r.name = widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.seeAll = newTextButton("See all", onSeeAll)
	r.seeAll.Importance = widget.LowImportance
	r.cards = container.NewHBox()
	r.empty = widget.NewLabel("Loading…")
	// A band under the cards for the row's scroll bar, which Fyne draws over the bottom
	// of the scroll: without it the bar crossed the cards' year line.
	bar := theme.ScrollBarSize()
	r.scroll = newRowScroll(container.New(layout.NewCustomPaddedLayout(0, bar, 0, 0), r.cards), page)
	r.scroll.SetMinSize(fyne.NewSize(cardPosterWidth, cardPosterHeight+cardTextHeight+bar))
	r.notice = newNotice()
	r.left = newRowArrow(theme.NavigateBackIcon(), func() { r.page(-1) }, r.hover)
	r.right = newRowArrow(theme.NavigateNextIcon(), func() { r.page(1) }, r.hover)
	arrows := container.NewBorder(nil, nil, r.left, r.right)
	r.shelf = container.NewStack(r.scroll, r.empty, arrows)
	r.box = container.NewVBox(container.NewHBox(r.name, r.seeAll), r.notice.box, r.shelf)
	return r
}

// updateNotice shows the row's failure, else its status, else nothing.
func (r *titleRow) updateNotice() {
	st := r.failed
	if st == nil {
		st = r.status
	}
	if st == nil {
		r.notice.clear()
	} else {
		r.notice.setText(st.text, wordsTruncate)
		r.notice.setBusy(st.busy)
		r.notice.setAction("Retry", theme.ViewRefreshIcon(), st.retry)
	}
	r.showIfUseful()
}

// showIfUseful shows the row when it has titles or something to say.
func (r *titleRow) showIfUseful() {
	if len(r.items) > 0 || r.notice.Visible() || r.empty.Visible() {
		r.box.Show()
	} else {
		r.box.Hide()
	}
}

func (r *titleRow) setName(name string) { r.name.SetText(name) }

// set fills the row; an empty row hides itself.
func (r *titleRow) set(items []rowItem) {
	r.items = items
	r.empty.Hide()
	// Cards are reused in order so that posters already loaded stay.
	for len(r.cards.Objects) < len(items) {
		c := newCard(r.u.svc.posters, r.u.openDetail)
		c.onHover = r.hover
		r.cards.Add(c)
	}
	r.cards.Objects = r.cards.Objects[:len(items)]
	for i, it := range items {
		r.cards.Objects[i].(*card).setTitle(it.title, it.progress)
	}
	r.cards.Refresh()
	r.scroll.Refresh() // the scroll lays its content out at the new width only when refreshed itself
	// An offline provider's row is its one line, not the line over a poster-high gap.
	if len(items) == 0 {
		r.shelf.Hide()
	} else {
		r.shelf.Show()
	}
	r.showIfUseful()
}

// titleGrid is the virtualised grid of search results or of one provider's titles. It
// knows the total from the first page and fetches the other pages as they scroll into
// view, so thousands of titles cost only the cards on screen.
type titleGrid struct {
	u       *ui
	heading string
	label   *widget.Label
	status  *widget.Label
	grid    *widget.GridWrap
	content fyne.CanvasObject

	query      catalog.Query
	providerID string // "" for a merged query
	gen        int
	pages      map[int][]catalog.Title
	loading    map[int]bool
	total      int
	// focus is the index of the title with the keyboard's ring, -1 for none.
	focus int
}

func newTitleGrid(u *ui) *titleGrid {
	g := &titleGrid{u: u, pages: map[int][]catalog.Title{}, loading: map[int]bool{}, focus: -1}
	g.label = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	g.status = widget.NewLabel("")
	g.grid = widget.NewGridWrap(
		func() int { return g.total },
		func() fyne.CanvasObject { return newCard(u.svc.posters, u.openDetail) },
		func(id widget.GridWrapItemID, o fyne.CanvasObject) {
			c := o.(*card)
			c.setTitle(g.titleAt(id), 0)
			c.setFocused(id == g.focus) // cards are recycled: the ring goes by index
		},
	)
	back := newButton("Home", theme.HomeIcon(), g.goHome)
	g.content = container.NewBorder(container.NewHBox(back, g.label, g.status), nil, nil, nil, g.grid)
	return g
}

// goHome leaves the grid for the rows, clearing the search and the genre.
func (g *titleGrid) goHome() {
	h := g.u.home
	g.providerID = ""
	h.search.SetText("")
	h.genre.SetSelected(allGenres)
	h.showRows()
	h.reloadRows()
}

// showing reports whether the grid already holds the answer to q over providerID.
func (g *titleGrid) showing(q catalog.Query, providerID string) bool {
	return g.gen > 0 && g.query == q && g.providerID == providerID && g.u.home.body.Objects[0] == g.content
}

// start shows the first page of a new query.
func (g *titleGrid) start(q catalog.Query, providerID, heading string) {
	g.gen++
	g.query, g.providerID, g.heading = q, providerID, heading
	g.pages = map[int][]catalog.Title{}
	g.loading = map[int]bool{}
	g.total = 0
	g.focus = -1
	g.label.SetText(heading)
	g.status.SetText("Searching…")
	g.grid.Refresh()
	g.grid.ScrollToTop()
	g.fetch(0)
}

// titleAt returns the title at index id, fetching its page if needed.
func (g *titleGrid) titleAt(id int) catalog.Title {
	page, i := id/gridPageSize, id%gridPageSize
	titles, ok := g.pages[page]
	if !ok {
		g.fetch(page)
		return catalog.Title{}
	}
	if i < len(titles) {
		return titles[i]
	}
	return catalog.Title{}
}

func (g *titleGrid) fetch(page int) {
	if g.loading[page] {
		return
	}
	g.loading[page] = true
	gen, q, providerID := g.gen, g.query, g.providerID
	q.Page, q.PageSize = page, gridPageSize
	cat := g.u.svc.catalog
	g.u.background(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, catalog.DefaultProviderTimeout+time.Second)
		defer cancel()
		var res catalog.Page
		var err error
		if providerID == "" {
			res = cat.Search(ctx, q)
		} else {
			res, err = cat.SearchProvider(ctx, providerID, q)
		}
		runOnUI(func() {
			if gen != g.gen {
				return
			}
			g.pages[page] = res.Titles
			for _, pe := range res.Errors {
				g.u.home.providerAnswered(pe.Provider, pe.Err)
			}
			if providerID != "" {
				g.u.home.providerAnswered(providerID, err)
			}
			total := max(res.Total, page*gridPageSize+len(res.Titles))
			if res.HasMore {
				total = max(total, (page+1)*gridPageSize+1)
			}
			if page == 0 || total > g.total {
				g.total = total
			}
			switch {
			case g.total == 0 && err != nil:
				g.status.SetText("— " + explain(err).Title)
			case g.total == 0:
				g.status.SetText("— nothing found")
			default:
				g.status.SetText("— " + plural(g.total, "title"))
			}
			g.grid.Refresh()
		})
	})
}

// Titles lists the titles loaded so far, in grid order (tests read it).
func (g *titleGrid) Titles() []catalog.Title {
	var out []catalog.Title
	for p := 0; ; p++ {
		ts, ok := g.pages[p]
		if !ok {
			return out
		}
		out = append(out, ts...)
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// askForMagnet shows the "Paste magnet" dialog, filled in from the clipboard when it
// holds a magnet.
func (u *ui) askForMagnet() {
	entry := widget.NewEntry()
	entry.SetPlaceHolder("magnet:?xt=urn:btih:…")
	if clip := strings.TrimSpace(u.app.Clipboard().Content()); looksLikeTorrentInput(clip) {
		entry.SetText(clip)
	}
	d := dialog.NewForm("Play a magnet link", "Play", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Magnet or info hash", entry)},
		guarded1("the magnet dialog", func(ok bool) {
			if ok && strings.TrimSpace(entry.Text) != "" {
				u.playSource(entry.Text)
			}
		}), u.win)
	entry.OnSubmitted = func(string) { d.Submit() } // Enter plays, as the Play button does
	d.Resize(fyne.NewSize(640, 180))
	d.Show()
}

// pasteFromClipboard is Ctrl+V outside a text field: play a magnet that was copied.
func (u *ui) pasteFromClipboard() {
	clip := strings.TrimSpace(u.app.Clipboard().Content())
	if clip == "" {
		return
	}
	if !looksLikeTorrentInput(clip) {
		// An answer to what the user just did, on whatever page they did it.
		showProblemDialog(u.win, problem{
			Title: "Nothing to play in the clipboard",
			What:  "Ctrl+V plays a magnet link or info hash you copied, but the clipboard holds something else.",
			Todo:  "Copy a magnet link (magnet:?xt=urn:btih:…) and press Ctrl+V again.",
		})
		return
	}
	u.playSource(clip)
}

// looksLikeTorrentInput is a cheap check before offering clipboard text as a source: any
// magnet form source.Parse reads ("magnet:?", "magnet://?"; a broken one is offered so that
// its error is shown) or an info hash.
func looksLikeTorrentInput(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(s, "magnet:") {
		return true
	}
	_, err := source.ParseInfoHash(s)
	return err == nil
}

// askForTorrentFile shows the file dialog for a .torrent.
func (u *ui) askForTorrentFile() {
	d := dialog.NewFileOpen(guarded2("the .torrent file dialog", func(r fyne.URIReadCloser, err error) {
		if err != nil {
			showErrorDialog(u.win, err)
			return
		}
		if r == nil {
			return
		}
		u.playTorrentFrom(r)
	}), u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".torrent"}))
	d.Show()
}

// dropped handles files dropped on the window: a .torrent plays, a subtitle file goes
// to the film playing, a video file plays directly.
func (u *ui) dropped(_ fyne.Position, uris []fyne.URI) {
	for _, uri := range uris {
		if uri.Scheme() != "file" {
			continue
		}
		path := uri.Path()
		switch ext := strings.ToLower(uri.Extension()); {
		case ext == ".torrent":
			u.playSource(path)
		case isSubtitleFile(ext):
			if u.playback == nil {
				showProblemDialog(u.win, problem{
					Title: "No film is playing",
					What:  "Subtitles dropped on the window go to the film that is playing.",
					Todo:  "Start the film first, then drop " + uri.Name() + " onto it.",
				})
				continue
			}
			u.playback.loadSubtitleFile(path)
		case isVideoFile(ext):
			u.playLocalFile(path)
		}
	}
}
