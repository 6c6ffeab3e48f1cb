package bench

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// process is a child program in its own process group, so that stopping it also stops
// anything it started. Its stderr (and stdout unless taken) goes to a log file.
type process struct {
	name string
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{}
	err  error // valid after done is closed

	stopping chan struct{} // closed when stop begins: unread output is dropped from then on
	stopOnce sync.Once
}

// startProcess runs cmd, logging its output to logPath. If stdout is not nil, each stdout
// line is sent to it (the channel is closed at EOF) and also copied to the log; otherwise
// stdout goes to cmd.Stdout if set, else to the log.
func startProcess(name string, cmd *exec.Cmd, logPath string, stdout chan<- string) (*process, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("%s: log: %w", name, err)
	}
	fmt.Fprintf(log, "# %s\n", strings.Join(cmd.Args, " "))
	// Its own group, so that stop reaches its children; and killed with us, so that an
	// interrupted benchmark leaves no engine or seeder running.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Stderr = log
	var pipe io.ReadCloser
	if stdout != nil {
		if pipe, err = cmd.StdoutPipe(); err != nil {
			log.Close()
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	} else if cmd.Stdout == nil {
		cmd.Stdout = log
	}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, log: log, done: make(chan struct{}), stopping: make(chan struct{})}
	var copied sync.WaitGroup
	if pipe != nil {
		copied.Add(1)
		go func() {
			defer copied.Done()
			defer close(stdout)
			sc := bufio.NewScanner(pipe)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			for sc.Scan() {
				line := sc.Text()
				fmt.Fprintln(log, line)
				select {
				case stdout <- line:
				case <-p.stopping:
				}
			}
		}()
	}
	go func() {
		copied.Wait() // Wait closes the pipe; drain it first
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// pid is the process id, for /proc sampling.
func (p *process) pid() int { return p.cmd.Process.Pid }

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the process group, then SIGKILL after grace, and waits.
func (p *process) stop(grace time.Duration) {
	p.stopOnce.Do(func() { p.terminate(grace) })
}

func (p *process) terminate(grace time.Duration) {
	close(p.stopping)
	defer p.log.Close()
	if p.exited() {
		return
	}
	pgid := p.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
	// Children that ignored the group signal would outlive the run.
	syscall.Kill(-pgid, syscall.SIGKILL)
}

// nextPort walks the ports handed to engines and seeders. They come from below Linux's
// ephemeral range (32768–60999), where the kernel never puts an outgoing connection, so a
// port found free stays free until the program that was given it binds it.
var (
	portMu   sync.Mutex
	nextPort = 20000 + os.Getpid()%5000
)

// freePort returns a loopback port free for both TCP and UDP (uTP engines use both).
func freePort() (int, error) {
	portMu.Lock()
	defer portMu.Unlock()
	for range 5000 {
		p := nextPort
		nextPort++
		if nextPort >= 32000 {
			nextPort = 20000
		}
		addr := "127.0.0.1:" + strconv.Itoa(p)
		tl, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		ul, err := net.ListenPacket("udp", addr)
		tl.Close()
		if err != nil {
			continue
		}
		ul.Close()
		return p, nil
	}
	return 0, errors.New("no free port between 20000 and 32000")
}

// peerAndRPCPorts are the two ports a BitTorrent client driven over RPC needs (aria2c,
// transmission-daemon).
func peerAndRPCPorts() (peer, rpc int, err error) {
	if peer, err = freePort(); err != nil {
		return 0, 0, err
	}
	rpc, err = freePort()
	return peer, rpc, err
}

// waitListening polls addr until it accepts a TCP connection, the process exits or
// timeout passes.
func waitListening(addr string, p *process, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if p.exited() {
			return fmt.Errorf("%s exited before listening on %s: %v", p.name, addr, p.err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: nothing listening on %s after %v", p.name, addr, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
