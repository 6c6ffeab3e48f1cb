package player

import (
	"image"
	"math"
	"unsafe"

	"github.com/asticode/go-astiav"
)

// orientation is how far clockwise a video's pictures turn for display, in degrees: 0, 90,
// 180 or 270. Phones record portrait video as landscape pictures with a display matrix
// that turns them upright; a player that ignores it shows the film on its side.
type orientation int

// streamOrientation reads a stream's display matrix, rounded to a quarter turn, as ffplay
// does; no matrix (or a skewed one) is 0.
func streamOrientation(s *astiav.Stream) orientation {
	b := s.SideData(astiav.PacketSideDataTypeDisplaymatrix)
	if len(b) < 36 {
		return 0
	}
	m, err := astiav.NewDisplayMatrixFromBytes(b)
	if err != nil {
		return 0
	}
	deg := m.Rotation() // clockwise, as ffplay's get_rotation
	if math.IsNaN(deg) || math.IsInf(deg, 0) {
		return 0
	}
	quarter := int(math.Round(deg/90)) % 4
	if quarter < 0 {
		quarter += 4
	}
	return orientation(quarter * 90)
}

// sideways says whether the turn swaps width and height.
func (o orientation) sideways() bool { return o == 90 || o == 270 }

// fit is fitSize for the picture as it is displayed: after the turn.
func (o orientation) fit(srcW, srcH int, sar astiav.Rational, reqW, reqH int) (int, int) {
	if !o.sideways() {
		return fitSize(srcW, srcH, sar, reqW, reqH)
	}
	// The source's x axis is shown upright, so its aspect stretches the height: the same
	// as stretching the turned width by its inverse.
	if sar.Num() > 0 && sar.Den() > 0 {
		sar = astiav.NewRational(sar.Den(), sar.Num())
	}
	return fitSize(srcH, srcW, sar, reqW, reqH)
}

// convert scales f into dst, whose size is the displayed one, turning it on the way. A
// turned picture is scaled into unturned first (nil, or the buffer the last call returned)
// and convert returns that buffer for the next call.
func (o orientation) convert(s *rgbaScaler, f *astiav.Frame, dst, unturned *image.RGBA) (*image.RGBA, error) {
	w, h := dst.Rect.Dx(), dst.Rect.Dy()
	if o == 0 {
		return unturned, s.scale(f, dst.Pix, w, h)
	}
	uw, uh := w, h
	if o.sideways() {
		uw, uh = h, w
	}
	if unturned == nil || unturned.Rect.Dx() != uw || unturned.Rect.Dy() != uh {
		unturned = newRGBA(uw, uh)
	}
	if err := s.scale(f, unturned.Pix, uw, uh); err != nil {
		return unturned, err
	}
	turnRGBA(dst, unturned, o)
	return unturned, nil
}

// turnRGBA writes src turned clockwise by o into dst, which has the turned size. Both are
// tight-stride, origin pictures; pixels move as whole 32-bit words.
func turnRGBA(dst, src *image.RGBA, o orientation) {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	if w == 0 || h == 0 {
		return
	}
	in := unsafe.Slice((*uint32)(unsafe.Pointer(&src.Pix[0])), w*h)
	out := unsafe.Slice((*uint32)(unsafe.Pointer(&dst.Pix[0])), w*h)
	switch o {
	case 90: // dst is h wide: source row y becomes column h-1-y
		for y := range h {
			row := in[y*w : (y+1)*w]
			col := h - 1 - y
			for x, px := range row {
				out[x*h+col] = px
			}
		}
	case 180:
		for i, px := range in {
			out[len(in)-1-i] = px
		}
	case 270: // source row y becomes column y, read upwards
		for y := range h {
			row := in[y*w : (y+1)*w]
			for x, px := range row {
				out[(w-1-x)*h+y] = px
			}
		}
	default:
		copy(out, in)
	}
}
