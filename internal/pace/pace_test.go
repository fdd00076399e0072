package pace

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when the pacer sleeps on it.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	if d > 0 {
		c.t = c.t.Add(d)
	}
	return ctx.Err()
}

func newFake(delay time.Duration) (*Mem, *fakeClock) {
	p := NewMem(delay)
	clock := &fakeClock{t: time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)}
	p.now, p.sleep = clock.now, clock.sleep
	return p, clock
}

func TestMemWaitDelay(t *testing.T) {
	p, clock := newFake(20 * time.Millisecond)
	ctx := context.Background()
	start := clock.now()
	for _, step := range []struct {
		delay time.Duration // 0: Wait
		why   string
	}{
		{0, "now; next at +20ms"},
		{100 * time.Millisecond, "+20ms; next at +120ms"},
		{5 * time.Millisecond, "+120ms: the pacer's own delay is the floor"},
		{0, "+140ms"},
	} {
		var err error
		if step.delay == 0 {
			err = p.Wait(ctx, "h")
		} else {
			err = p.WaitDelay(ctx, "h", step.delay)
		}
		if err != nil {
			t.Fatalf("%s: %v", step.why, err)
		}
	}
	if d := clock.now().Sub(start); d != 140*time.Millisecond {
		t.Errorf("took %v, want 140ms", d)
	}
	want := []time.Duration{0, 20 * time.Millisecond, 100 * time.Millisecond, 20 * time.Millisecond}
	if fmt.Sprint(clock.sleeps) != fmt.Sprint(want) {
		t.Errorf("sleeps %v, want %v", clock.sleeps, want)
	}
	// Another key is not held up.
	clock.sleeps = nil
	if err := p.Wait(ctx, "other"); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(clock.sleeps) != "[0s]" {
		t.Errorf("other key slept %v", clock.sleeps)
	}
	// A cancelled wait keeps the slot: the next use is still spaced.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := p.Wait(cctx, "h"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled wait: %v", err)
	}
}

func TestMemNoDelay(t *testing.T) {
	p, clock := newFake(0)
	for i := 0; i < 3; i++ {
		if err := p.Wait(context.Background(), "k"); err != nil {
			t.Fatal(err)
		}
	}
	if len(clock.sleeps) != 0 {
		t.Errorf("no delay, yet slept %v", clock.sleeps)
	}
	// WaitDelay still spaces by the delay it is given.
	_ = p.WaitDelay(context.Background(), "k", time.Second)
	_ = p.WaitDelay(context.Background(), "k", time.Second)
	if fmt.Sprint(clock.sleeps) != "[0s 1s]" {
		t.Errorf("sleeps %v, want [0s 1s]", clock.sleeps)
	}
}

func TestMemCancelOnRealClock(t *testing.T) {
	p := NewMem(time.Hour)
	if err := p.Wait(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := p.Wait(ctx, "a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if err := p.Wait(context.Background(), "b"); err != nil {
		t.Fatal(err)
	}
}

func TestMemBlock(t *testing.T) {
	p, clock := newFake(40 * time.Millisecond)
	ctx := context.Background()
	until := clock.now().Add(time.Hour)
	if err := p.Block(ctx, "k", until); err != nil {
		t.Fatal(err)
	}
	var held *HeldError
	if err := p.Wait(ctx, "k"); !errors.As(err, &held) || !held.Until.Equal(until) || held.Key != "k" {
		t.Errorf("blocked Wait = %v", err)
	}
	if len(clock.sleeps) != 0 {
		t.Errorf("a held Wait slept %v", clock.sleeps)
	}
	// Another key is not held.
	if err := p.Wait(ctx, "other"); err != nil {
		t.Errorf("other key: %v", err)
	}
	// An earlier Block does not shorten a later one.
	_ = p.Block(ctx, "k", clock.now())
	if err := p.Wait(ctx, "k"); !errors.As(err, &held) || !held.Until.Equal(until) {
		t.Errorf("Wait after an earlier Block = %v", err)
	}
	clock.mu.Lock()
	clock.t = until.Add(time.Second)
	clock.mu.Unlock()
	if err := p.Wait(ctx, "k"); err != nil {
		t.Errorf("after the block: %v", err)
	}
	// A block holds even without spacing.
	free, _ := newFake(0)
	_ = free.Block(ctx, "k", until)
	if err := free.Wait(ctx, "k"); !errors.As(err, &held) {
		t.Errorf("no-delay pacer, blocked: %v", err)
	}
}

// TestMemForgetsPastKeys: the map of next starts does not grow with every
// key ever seen.
func TestMemForgetsPastKeys(t *testing.T) {
	p, clock := newFake(time.Millisecond)
	for i := 0; i < 4096; i++ {
		_ = p.Wait(context.Background(), fmt.Sprint("host", i))
		clock.mu.Lock()
		clock.t = clock.t.Add(time.Second)
		clock.mu.Unlock()
	}
	p.mu.Lock()
	n := len(p.next)
	p.mu.Unlock()
	if n > 1024 {
		t.Errorf("%d keys kept, want at most 1024", n)
	}
}

type stepPacer struct{ waited []string }

func (s *stepPacer) Wait(_ context.Context, key string) error {
	s.waited = append(s.waited, "wait "+key)
	return nil
}

func (s *stepPacer) WaitDelay(_ context.Context, key string, d time.Duration) error {
	s.waited = append(s.waited, fmt.Sprintf("delay %s %v", key, d))
	return errors.New("refused")
}

func TestTimed(t *testing.T) {
	inner := &stepPacer{}
	var seen int
	p := Timed(inner, func(d time.Duration) {
		if d < 0 {
			t.Errorf("negative wait %v", d)
		}
		seen++
	})
	if err := p.Wait(context.Background(), "h"); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitDelay(context.Background(), "h", time.Second); err == nil {
		t.Error("the inner pacer's error was lost")
	}
	if seen != 2 || fmt.Sprint(inner.waited) != "[wait h delay h 1s]" {
		t.Errorf("observed %d waits, inner saw %v", seen, inner.waited)
	}
}

func TestSleep(t *testing.T) {
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(cctx, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep(cancelled, 0) = %v", err)
	}
	if err := Sleep(cctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep(cancelled, 1h) = %v", err)
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("Sleep(1ms) = %v", err)
	}
}
