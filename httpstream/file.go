package httpstream

import (
	"context"
	"io"
)

// StreamFile is a File whose every request reads through its own reader from open, and
// whose reads end when the request does (a torrent stream waiting for a piece would
// otherwise outlive a renderer that hung up).
func StreamFile(name string, size int64, open func() (io.ReadSeekCloser, error)) File {
	return File{Name: name, Size: size, Open: func(ctx context.Context) (io.ReadSeekCloser, error) {
		rd, err := open()
		if err != nil {
			return nil, err
		}
		return contextReader{ctx: ctx, ReadSeekCloser: rd}, nil
	}}
}

// contextReader ends a reader's reads when its request ends.
type contextReader struct {
	ctx context.Context
	io.ReadSeekCloser
}

func (r contextReader) Read(p []byte) (int, error) {
	if cr, ok := r.ReadSeekCloser.(interface {
		ReadContext(context.Context, []byte) (int, error)
	}); ok {
		return cr.ReadContext(r.ctx, p)
	}
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.ReadSeekCloser.Read(p)
}
