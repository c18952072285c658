// Package views is a CPU-burning Go test profiled by cprof's view tests
// (tests/e2e/4*.t) with `go test -cpuprofile`: `go tool pprof -top` and
// cprof-top must print the same numbers for it. It has what makes top
// tables tricky: recursion (a function counted once in cum), an inlined
// helper, a function reached from two callers, and labels.
// BURN_MS sets the burn time of each phase (default 300 ms).
package views

import (
	"context"
	"os"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"
)

var sink uint64

// mix is small enough for the compiler to inline into its callers.
func mix(x uint64) uint64 { return x*6364136223846793005 + 1442695040888963407 }

//go:noinline
func leaf(n int) uint64 {
	x := uint64(n)
	for i := 0; i < 2000; i++ {
		x = mix(x)
	}
	return x
}

//go:noinline
func recurse(depth int) uint64 {
	if depth == 0 {
		return leaf(depth)
	}
	return recurse(depth-1) + leaf(depth)
}

//go:noinline
func shared(n int) uint64 {
	x := uint64(0)
	for i := 0; i < n; i++ {
		x += leaf(i)
	}
	return x
}

//go:noinline
func viaA() uint64 { return shared(50) }

//go:noinline
func viaB() uint64 { return shared(20) + recurse(6) }

func burnTime() time.Duration {
	if s := os.Getenv("BURN_MS"); s != "" {
		if ms, err := strconv.Atoi(s); err == nil && ms > 0 {
			return time.Duration(ms) * time.Millisecond
		}
	}
	return 300 * time.Millisecond
}

func loop(d time.Duration, f func() uint64) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		sink += f()
	}
}

func TestViews(t *testing.T) {
	d := burnTime()
	ctx := context.Background()
	pprof.Do(ctx, pprof.Labels("phase", "a"), func(context.Context) { loop(d, viaA) })
	pprof.Do(ctx, pprof.Labels("phase", "b"), func(context.Context) { loop(d, viaB) })
	loop(d, func() uint64 { return recurse(12) })
	if sink == 0 {
		t.Log("sink is zero")
	}
}
