package torrent

import (
	"context"
	"log/slog"
	"strings"
)

// anacrolixLogHandler passes anacrolix's records to the engine's logger at a sane level:
// warnings and errors only, with the errors it raises for ordinary events (a read cancelled by
// its context is logged three times at ERROR) demoted to debug.
type anacrolixLogHandler struct {
	next slog.Handler
}

func newAnacrolixLogger(base *slog.Logger) *slog.Logger {
	return slog.New(anacrolixLogHandler{next: base.With("component", "anacrolix").Handler()})
}

func (h anacrolixLogHandler) Enabled(ctx context.Context, level slog.Level) bool {
	// Debug stays reachable so that demoted records can still be seen when asked for.
	return h.next.Enabled(ctx, level)
}

func (h anacrolixLogHandler) Handle(ctx context.Context, r slog.Record) error {
	level := r.Level
	if level < slog.LevelWarn || isRoutineFailure(r) {
		level = slog.LevelDebug
	}
	if level != r.Level {
		if !h.next.Enabled(ctx, level) {
			return nil
		}
		r2 := slog.NewRecord(r.Time, level, r.Message, r.PC)
		r.Attrs(func(a slog.Attr) bool { r2.AddAttrs(a); return true })
		r = r2
	}
	return h.next.Handle(ctx, r)
}

func (h anacrolixLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return anacrolixLogHandler{next: h.next.WithAttrs(attrs)}
}

func (h anacrolixLogHandler) WithGroup(name string) slog.Handler {
	return anacrolixLogHandler{next: h.next.WithGroup(name)}
}

// isRoutineFailure spots records about things the engine does on purpose (cancelled reads,
// dropped torrents, closed connections) or that are normal on a machine without internet
// (the DHT finding no bootstrap nodes), and the write errors the engine reports itself.
func isRoutineFailure(r slog.Record) bool {
	text := r.Message
	r.Attrs(func(a slog.Attr) bool {
		text += " " + a.Value.String()
		return true
	})
	for _, s := range []string{"context canceled", "context deadline exceeded", "torrent closed", "use of closed", "read failed",
		"error bootstrapping", "writing received chunk"} {
		if strings.Contains(text, s) {
			return true
		}
	}
	return false
}

// discardLogger is used when Config.Logger is nil.
func discardLogger() *slog.Logger {
	return slog.New(slog.DiscardHandler)
}
