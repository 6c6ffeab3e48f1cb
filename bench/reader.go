package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The shared reader is the ffmpeg CLI on the engine's HTTP URL, the same command for every
// engine. It writes one framecrc line per frame (decoded) or per packet (stream copy) to
// a pipe the harness reads, so the harness sees each frame the moment ffmpeg has it.

// firstFrame runs `ffmpeg [-ss seek] -i url` decoding the first video stream and returns
// the wall time at which the first decoded frame came out. With seek, ffmpeg's default
// accurate seeking decodes from the keyframe before the target and drops frames until it,
// so the first frame out is the one at the target.
func firstFrame(ctx context.Context, url string, seek time.Duration, logPath string) (time.Time, error) {
	args := []string{"-nostdin", "-hide_banner", "-loglevel", "error"}
	if seek > 0 {
		args = append(args, "-ss", strconv.FormatFloat(seek.Seconds(), 'f', 3, 64))
	}
	args = append(args, "-i", url, "-map", "0:v:0", "-frames:v", "1", "-f", "framecrc", "-flush_packets", "1", "pipe:1")
	lines, proc, err := startReader(ctx, args, logPath, 0)
	if err != nil {
		return time.Time{}, err
	}
	defer proc.stop(2 * time.Second)
	for line := range lines {
		if _, ok, err := parseFrameLine(line); err != nil {
			return time.Time{}, err
		} else if ok {
			return time.Now(), nil
		}
	}
	<-proc.done
	if ctx.Err() != nil {
		return time.Time{}, ctx.Err()
	}
	return time.Time{}, fmt.Errorf("ffmpeg produced no frame from %s: %v (log: %s)", url, proc.err, logPath)
}

// startReader runs ffmpeg with args, its stdout going to a pipe of pipeBytes (0: the
// default size) whose lines come out of the returned channel.
func startReader(ctx context.Context, args []string, logPath string, pipeBytes int) (<-chan string, *process, error) {
	cmd := exec.CommandContext(ctx, "ffmpeg", args...)
	lines := make(chan string)
	if pipeBytes == 0 {
		p, err := startProcess("ffmpeg reader", cmd, logPath, lines)
		return lines, p, err
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("reader pipe: %w", err)
	}
	// A small pipe keeps the reader's backpressure honest: the 64 KiB default would hold
	// about 40 s of framecrc lines that ffmpeg has read but the player has not played.
	if _, err := unix.FcntlInt(pw.Fd(), unix.F_SETPIPE_SZ, pipeBytes); err != nil {
		pr.Close()
		pw.Close()
		return nil, nil, fmt.Errorf("reader pipe size: %w", err)
	}
	cmd.Stdout = pw
	p, err := startProcess("ffmpeg reader", cmd, logPath, nil)
	pw.Close()
	if err != nil {
		pr.Close()
		return nil, nil, err
	}
	go func() {
		defer close(lines)
		defer pr.Close()
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-p.done:
				return
			}
		}
	}()
	return lines, p, nil
}

// frameLine is one framecrc line: stream index, dts, pts and duration in the stream's
// time base, and the size in bytes.
type frameLine struct {
	stream             int
	dts, pts, duration int64
	size               int64
}

// parseFrameLine parses a framecrc data line. Header lines (starting with '#') and empty
// lines return ok == false and no error.
func parseFrameLine(line string) (f frameLine, ok bool, err error) {
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' {
		return f, false, nil
	}
	fields := strings.Split(line, ",")
	if len(fields) < 6 {
		return f, false, fmt.Errorf("framecrc line %q: %d fields, want 6", line, len(fields))
	}
	nums := make([]int64, 5)
	for i := range nums {
		nums[i], err = strconv.ParseInt(strings.TrimSpace(fields[i]), 10, 64)
		if err != nil {
			return f, false, fmt.Errorf("framecrc line %q: field %d: %w", line, i, err)
		}
	}
	if nums[0] < 0 || nums[3] < 0 || nums[4] < 0 {
		return f, false, fmt.Errorf("framecrc line %q: negative stream, duration or size", line)
	}
	return frameLine{stream: int(nums[0]), dts: nums[1], pts: nums[2], duration: nums[3], size: nums[4]}, true, nil
}

// parseTimeBase reads a "#tb 0: 1/15360" header line.
func parseTimeBase(line string) (stream int, num, den int64, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(line), "#tb ")
	if !found {
		return 0, 0, 0, false
	}
	idx, frac, found := strings.Cut(rest, ":")
	if !found {
		return 0, 0, 0, false
	}
	s, err := strconv.Atoi(strings.TrimSpace(idx))
	if err != nil || s < 0 {
		return 0, 0, 0, false
	}
	n, d, found := strings.Cut(strings.TrimSpace(frac), "/")
	if !found {
		return 0, 0, 0, false
	}
	num, err1 := strconv.ParseInt(n, 10, 64)
	den, err2 := strconv.ParseInt(d, 10, 64)
	if err1 != nil || err2 != nil || num <= 0 || den <= 0 {
		return 0, 0, 0, false
	}
	return s, num, den, true
}

// giveUpAfter ends a playback whose position has not moved for this long: the engine
// has stopped delivering, and waiting out the run's timeout would only burn the session.
const giveUpAfter = time.Minute

// realtimeResult is what a real-time playback through the reader saw.
type realtimeResult struct {
	firstFrame time.Time // wall time of the first packet
	played     time.Duration
	rebuffers  int
	stallTime  time.Duration
	stops      []time.Duration // every rebuffer's length, for the log
	gaveUp     bool            // playback stopped for good: no data for giveUpAfter
}

// playRealtime plays url in real time, the way a player does: ffmpeg demuxes the video
// stream (stream copy, so decoder speed on two shared cores never counts as a stall), the
// harness buffers at most ahead of the playback position and stops reading when full,
// and the playback clock pauses on underrun until resumeAfter of media is buffered again.
// It returns after playing `play` of media, at the end of the film, or on error.
func playRealtime(ctx context.Context, url string, play time.Duration, cfg playbackConfig, logPath string) (realtimeResult, error) {
	args := []string{"-nostdin", "-hide_banner", "-loglevel", "error", "-i", url,
		"-map", "0:v:0", "-c", "copy", "-f", "framecrc", "-flush_packets", "1", "pipe:1"}
	lines, proc, err := startReader(ctx, args, logPath, 4096)
	if err != nil {
		return realtimeResult{}, err
	}
	defer proc.stop(2 * time.Second)

	pb := newPlayback(cfg)
	var num, den int64
	var origin int64
	haveOrigin := false
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		now := time.Now()
		if pb.position(now) >= play {
			break
		}
		var in <-chan string
		if pb.wantMore(now) {
			in = lines
		}
		select {
		case line, ok := <-in:
			now = time.Now()
			if !ok {
				<-proc.done
				if !pb.started {
					return realtimeResult{}, fmt.Errorf("ffmpeg read nothing from %s: %v (log: %s)", url, proc.err, logPath)
				}
				// The film ended (or the reader failed); what was buffered still plays.
				pb.finish(now)
				if rest := min(play, pb.avail) - pb.position(now); rest > 0 {
					select {
					case <-time.After(rest):
					case <-ctx.Done():
						return realtimeResult{}, ctx.Err()
					}
				}
				return pb.result(time.Now()), nil
			}
			if s, n, d, ok := parseTimeBase(line); ok && s == 0 {
				num, den = n, d
				continue
			}
			f, ok, err := parseFrameLine(line)
			if err != nil {
				return realtimeResult{}, err
			}
			if !ok {
				continue
			}
			if den == 0 {
				return realtimeResult{}, errors.New("framecrc output has no #tb line before the first packet")
			}
			if !haveOrigin {
				origin, haveOrigin = f.dts, true
			}
			end := time.Duration(float64(f.dts-origin+f.duration) * float64(num) / float64(den) * float64(time.Second))
			pb.arrive(now, end)
		case <-tick.C:
			if stuck := pb.stalledFor(time.Now()); stuck > giveUpAfter {
				// The stop that never ended counts as a rebuffer of at least this long.
				res := pb.result(time.Now())
				res.rebuffers++
				res.stallTime += stuck
				res.stops = append(res.stops, stuck)
				res.gaveUp = true
				return res, nil
			}
		case <-ctx.Done():
			return realtimeResult{}, ctx.Err()
		}
	}
	return pb.result(time.Now()), nil
}
