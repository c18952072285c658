// Package burn is a CPU-burning Go test that cprof's end-to-end tests
// profile with `go test -cpuprofile`: two functions spin under pprof.Do
// labels, so the profile carries stacks, values and labels to compare
// between cprof and `go tool pprof`. BURN_MS sets the burn time per
// function (default 600 ms).
package burn

import (
	"context"
	"os"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"
)

var sink uint64

//go:noinline
func spinAlpha(n int) uint64 {
	x := uint64(1)
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

//go:noinline
func spinBeta(n int) uint64 {
	x := uint64(7)
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

//go:noinline
func burn(d time.Duration, f func(int) uint64) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		sink += f(20000)
	}
}

func burnTime() time.Duration {
	if s := os.Getenv("BURN_MS"); s != "" {
		if ms, err := strconv.Atoi(s); err == nil && ms > 0 {
			return time.Duration(ms) * time.Millisecond
		}
	}
	return 600 * time.Millisecond
}

func TestBurn(t *testing.T) {
	d := burnTime()
	ctx := context.Background()
	pprof.Do(ctx, pprof.Labels("endpoint", "/users"), func(context.Context) {
		burn(d, spinAlpha)
	})
	pprof.Do(ctx, pprof.Labels("endpoint", "/orders", "tier", "gold"), func(context.Context) {
		burn(d, spinBeta)
	})
	if sink == 0 {
		t.Log("sink is zero") // keeps the work observable
	}
}
