package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// moduleRoot finds the folder holding the marquee go.mod, starting from the working
// directory (go test runs in bench/).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(bytes.TrimSpace(b), []byte("module marquee")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the marquee module")
		}
		dir = parent
	}
}

// npmPeers are the npm engines, each installed from the manifest and lock file committed
// in bench/npm/NAME into the git-ignored bench/peers/NAME.
var npmPeers = []string{"webtorrent", "peerflix"}

// installPeers makes bench/peers/NAME match bench/npm/NAME, running
// `npm ci --ignore-scripts` only when the lock file changed. Install scripts stay off as
// issue 7 asks; the native modules that would have built (utp-native, bufferutil,
// utf-8-validate) load their bundled prebuilt binaries or fall back to JavaScript.
func installPeers(ctx context.Context, root string) error {
	for _, name := range npmPeers {
		src := filepath.Join(root, "bench", "npm", name)
		dst := filepath.Join(root, "bench", "peers", name)
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return err
		}
		entries, err := os.ReadDir(src)
		if err != nil {
			return fmt.Errorf("peers: %w", err)
		}
		lockChanged := false
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			b, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				return fmt.Errorf("peers: %w", err)
			}
			old, _ := os.ReadFile(filepath.Join(dst, e.Name()))
			if bytes.Equal(old, b) {
				continue
			}
			if e.Name() == "package-lock.json" || e.Name() == "package.json" {
				lockChanged = true
			}
			if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
				return fmt.Errorf("peers: %w", err)
			}
		}
		if _, err := os.Stat(filepath.Join(dst, "node_modules")); err == nil && !lockChanged {
			continue
		}
		if _, err := exec.LookPath("npm"); err != nil {
			return errors.New("peers: npm is not installed (Debian: apt-get install nodejs npm)")
		}
		// npm 10 and later refuse `npm ci` on these lock files ("Missing: airplay-js@ from
		// lock file", an optional dependency npm 9 left out); `npm install --no-save` installs
		// the same locked versions without rewriting the lock.
		var out bytes.Buffer
		for _, verb := range [][]string{{"ci"}, {"install", "--no-save"}} {
			out.Reset()
			cmd := exec.CommandContext(ctx, "npm", append(verb, "--ignore-scripts", "--no-audit", "--no-fund")...)
			cmd.Dir = dst
			cmd.Stdout, cmd.Stderr = &out, &out
			if err = cmd.Run(); err == nil {
				break
			}
		}
		if err != nil {
			return fmt.Errorf("peers: npm install in %s: %w: %s", dst, err, lastLines(out.String(), 8))
		}
	}
	return nil
}

// envMarqueeBin names a prebuilt marquee binary to measure instead of building one.
const envMarqueeBin = "MARQUEE_BENCH_BIN"

// prepareTools builds a private copy of marquee (so rebuilds during a run change
// nothing) and finds the other programs and their versions.
func prepareTools(ctx context.Context, root, work string, withMarquee bool) (*tools, error) {
	tl := &tools{
		webtorrentDir: filepath.Join(root, "bench", "peers", "webtorrent"),
		peerflixDir:   filepath.Join(root, "bench", "peers", "peerflix"),
		versions:      map[engineID]string{},
	}
	for _, prog := range []string{"ffmpeg", "ffprobe", "aria2c", "node"} {
		if _, err := exec.LookPath(prog); err != nil {
			return nil, fmt.Errorf("%s is not installed; `make deps` installs the bench's Debian packages", prog)
		}
	}
	tl.node, _ = exec.LookPath("node")
	if withMarquee {
		tl.marquee = filepath.Join(work, "marquee")
		if prebuilt := os.Getenv(envMarqueeBin); prebuilt != "" {
			b, err := os.ReadFile(prebuilt)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", envMarqueeBin, err)
			}
			if err := os.WriteFile(tl.marquee, b, 0o755); err != nil {
				return nil, err
			}
		} else {
			cmd := exec.CommandContext(ctx, "go", "build", "-o", tl.marquee, ".")
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				return nil, fmt.Errorf("build marquee: %w: %s", err, lastLines(string(out), 10))
			}
		}
		tl.versions[marqueeServe] = "marquee " + gitDescribe(ctx, root)
		tl.versions[marqueePlay] = tl.versions[marqueeServe]
	}
	wt, err := output(ctx, tl.node, "--import", filepath.Join(tl.webtorrentDir, "loopback.mjs"),
		filepath.Join(tl.webtorrentDir, "node_modules", "webtorrent-cli", "bin", "cmd.js"), "--version")
	if err != nil {
		return nil, fmt.Errorf("webtorrent-cli: %w", err)
	}
	tl.versions[webtorrent] = "webtorrent-cli " + strings.Replace(wt, " (", ", webtorrent ", 1)
	tl.versions[webtorrent] = strings.TrimSuffix(tl.versions[webtorrent], ")")
	pf, err := npmVersion(tl.peerflixDir, "peerflix")
	if err != nil {
		return nil, err
	}
	ts, err := npmVersion(tl.peerflixDir, "torrent-stream")
	if err != nil {
		return nil, err
	}
	tl.versions[peerflix] = "peerflix " + pf + ", torrent-stream " + ts
	a, err := output(ctx, "aria2c", "--version")
	if err != nil {
		return nil, err
	}
	tl.versions[aria2] = strings.TrimSpace(strings.SplitN(a, "\n", 2)[0])
	nv, _ := output(ctx, tl.node, "--version")
	tl.versions["node"] = "node " + nv
	fv, _ := output(ctx, "ffmpeg", "-version")
	tl.versions["ffmpeg"] = strings.Join(strings.Fields(strings.SplitN(fv, "\n", 2)[0])[:3], " ")
	return tl, nil
}

func output(ctx context.Context, name string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, name, args...).Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}

// npmVersion reads the version of an installed npm package.
func npmVersion(dir, pkg string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", pkg, "package.json"))
	if err != nil {
		return "", fmt.Errorf("peers: %s is not installed: %w", pkg, err)
	}
	const key = `"version":`
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return "", fmt.Errorf("peers: no version in %s's package.json", pkg)
	}
	rest := bytes.TrimSpace(b[i+len(key):])
	v, _, ok := bytes.Cut(bytes.TrimPrefix(rest, []byte(`"`)), []byte(`"`))
	if !ok {
		return "", fmt.Errorf("peers: bad version in %s's package.json", pkg)
	}
	return string(v), nil
}

func gitDescribe(ctx context.Context, root string) string {
	cmd := exec.CommandContext(ctx, "git", "describe", "--always", "--dirty")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "(no git)"
	}
	return strings.TrimSpace(string(out))
}

// machineDescription names the CPU, core count, memory and kernel.
func machineDescription() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if n, err := parseProcKB(b, "MemTotal"); err == nil {
			mem = fmt.Sprintf(", %.0f GiB RAM", float64(n)/(1<<30))
		}
	}
	kernel := ""
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = ", Linux " + strings.TrimSpace(string(b))
	}
	return fmt.Sprintf("%s, %d cores%s%s", cpu, runtime.NumCPU(), mem, kernel)
}

// parseProcKB finds "key:   N kB" in a /proc file such as meminfo or PID/status and
// returns N·1024.
func parseProcKB(content []byte, key string) (int64, error) {
	for _, line := range bytes.Split(content, []byte("\n")) {
		name, rest, ok := bytes.Cut(line, []byte(":"))
		if !ok || string(name) != key {
			continue
		}
		fields := strings.Fields(string(rest))
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("%s line %q: want \"N kB\"", key, line)
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil || kb < 0 || kb > 1<<52 {
			return 0, fmt.Errorf("%s line %q: bad number", key, line)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("no %s line", key)
}
