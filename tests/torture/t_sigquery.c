/* What a program sees of the dispositions of its fatal signals, as Python
 * does at its start (it installs its KeyboardInterrupt handler for SIGINT
 * only when SIGINT's handler is SIG_DFL) and as runtimes that chain to the
 * previous handler do: sigaction's old action and signal()'s return value,
 * before and after the program sets its own handler and SIG_DFL again.
 * Then it raises SIGINT with its own handler in place. The output must be
 * the same with and without the profiler. Usage: sigquery */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "torture.h"

static volatile sig_atomic_t got;

static void on_signal(int sig)
{
	got = sig;
}

static const char *what(const struct sigaction *a)
{
	if (a->sa_flags & SA_SIGINFO)
		return "a three-argument handler";
	return a->sa_handler == SIG_DFL ? "SIG_DFL" : a->sa_handler == SIG_IGN ? "SIG_IGN" : a->sa_handler == on_signal ? "on_signal" : "another handler";
}

int main(void)
{
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM, SIGINT, SIGHUP, SIGQUIT};
	struct sigaction a, old;

	tt_burn_ms(50);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], NULL, &old);
		printf("signal %d at start: %s\n", sigs[i], what(&old));
	}
	/* Python's idiom for SIGINT, and signal()'s return value */
	sigaction(SIGINT, NULL, &old);
	if (!(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_DFL) {
		memset(&a, 0, sizeof(a));
		a.sa_handler = on_signal;
		sigaction(SIGINT, &a, NULL);
	}
	sighandler_t prev = signal(SIGTERM, on_signal);
	printf("signal(SIGTERM) returned %s\n", prev == SIG_DFL ? "SIG_DFL" : prev == SIG_IGN ? "SIG_IGN" : "another handler");
	prev = signal(SIGTERM, SIG_DFL);
	printf("signal(SIGTERM, SIG_DFL) returned %s\n", prev == on_signal ? "on_signal" : "another handler");
	sigaction(SIGTERM, NULL, &old);
	printf("SIGTERM after SIG_DFL again: %s\n", what(&old));
	raise(SIGINT);
	tt_burn_ms(50);
	printf("SIGINT %s\n", got == SIGINT ? "handled by the program" : "not handled");
	return 0;
}
