package web

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/exemplar/exemplar/internal/errs"
)

// throttle slows down password guessing. Failed sign-ins are counted per
// username and per client address; after a key's free attempts fail in a
// row (5 for a username; 50 for an address, which a whole office may
// share), each further attempt must wait, twice as long each time (1 s,
// 2 s, 4 s … up to maxWait). A success clears the username's count. The counts live
// in the process: several servers each keep their own, which still bounds
// the guesses per second.
type throttle struct {
	mu   sync.Mutex
	now  func() time.Time
	keys map[string]*failures
}

type failures struct {
	n    int
	last time.Time
}

// freeAttempts is how many failures a key may have before it waits.
func freeAttempts(key string) int {
	if strings.HasPrefix(key, "addr:") {
		return 50
	}
	return 5
}

const (
	maxWait     = 15 * time.Minute
	forgetAfter = time.Hour // a quiet key starts afresh
)

func newThrottle() *throttle { return &throttle{now: time.Now, keys: map[string]*failures{}} }

// wait returns how long the keys must wait before the next attempt (0:
// go ahead).
func (t *throttle) wait(keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var longest time.Duration
	for _, k := range keys {
		f := t.keys[k]
		free := freeAttempts(k)
		if f == nil || f.n < free {
			continue
		}
		if now.Sub(f.last) > forgetAfter {
			delete(t.keys, k)
			continue
		}
		d := min(time.Second<<min(f.n-free, 20), maxWait)
		if left := f.last.Add(d).Sub(now); left > longest {
			longest = left
		}
	}
	return longest
}

// fail records a failed attempt for each key.
func (t *throttle) fail(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.keys) > 100000 { // bound memory under a flood of names
		for k, f := range t.keys {
			if now.Sub(f.last) > forgetAfter {
				delete(t.keys, k)
			}
		}
	}
	for _, k := range keys {
		f := t.keys[k]
		if f == nil {
			f = &failures{}
			t.keys[k] = f
		}
		f.n++
		f.last = now
	}
}

// succeed clears key's failures.
func (t *throttle) succeed(key string) {
	t.mu.Lock()
	delete(t.keys, key)
	t.mu.Unlock()
}

// tooMany is the error of a throttled attempt.
type tooMany struct {
	wait time.Duration
	msg  string
}

func (e *tooMany) Error() string { return e.msg }

func errTooManyAttempts(lang string, wait time.Duration) error {
	secs := int(wait.Seconds() + 0.999)
	return &errs.Error{Code: errTooMany, Msg: fmt.Sprintf(message(lang, "login.throttled"), secs), Err: &tooMany{wait: wait}}
}

// retryAfterOf returns the Retry-After value of a throttled error, or "".
func retryAfterOf(err error) string {
	var t *tooMany
	if errors.As(err, &t) {
		return strconv.Itoa(int(t.wait.Seconds() + 0.999))
	}
	return ""
}

// clientAddr is the caller's IP address (without port), for throttling.
// It trusts no forwarding header: behind a proxy every caller shares the
// proxy's address, which throttles more, never less.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return strings.TrimSpace(host)
}
