// A Go CPU profile with labels, made at fuzz time as a seed for the pprof
// targets (Go's encoder is the real peer's: packed fields, label units).
package main

import (
	"context"
	"os"
	"runtime/pprof"
	"time"
)

//go:noinline
func spin(d time.Duration) int {
	x, end := 0, time.Now().Add(d)
	for time.Now().Before(end) {
		for i := 0; i < 10000; i++ {
			x += i * x
		}
	}
	return x
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	for _, ep := range []string{"/users", "/items<&>"} {
		pprof.Do(context.Background(), pprof.Labels("endpoint", ep), func(context.Context) {
			spin(150 * time.Millisecond)
		})
	}
	pprof.StopCPUProfile()
	f.Close()
}
