package cli

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// progress draws a one-line bar on an interactive stderr, at most ten
// times a second, and nothing otherwise.
type progress struct {
	env   *Env
	label string
	mu    sync.Mutex
	last  time.Time
	drawn bool
	start time.Time
}

func newProgress(env *Env, label string) *progress {
	return &progress{env: env, label: label, start: time.Now()}
}

// fraction reports done of total rows.
func (p *progress) fraction(done, total int) {
	if !p.due() {
		return
	}
	const width = 30
	f := float64(done) / float64(max(total, 1))
	fill := int(f * width)
	p.draw(fmt.Sprintf("%s [%s%s] %3.0f%% %d/%d", p.label, strings.Repeat("=", fill), strings.Repeat(" ", width-fill), 100*f, done, total))
}

// rows reports rows read and the fraction of the input they make.
func (p *progress) rows(n int, fraction float64) {
	if !p.due() {
		return
	}
	const width = 30
	fill := min(int(fraction*width), width)
	p.draw(fmt.Sprintf("%s [%s%s] %3.0f%% %d rows", p.label, strings.Repeat("=", fill), strings.Repeat(" ", width-fill), 100*fraction, n))
}

func (p *progress) due() bool {
	if p == nil || !p.env.Interactive {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	// Small jobs finish before a bar would help.
	if now.Sub(p.start) < 300*time.Millisecond || now.Sub(p.last) < 100*time.Millisecond {
		return false
	}
	p.last = now
	return true
}

func (p *progress) draw(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.env.Stderr, "\r%-70s", line)
	p.drawn = true
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintf(p.env.Stderr, "\r%-70s\r", "")
		p.drawn = false
	}
}
