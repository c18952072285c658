// bench/symprog.cc: the C++ program of the symbolization benchmark
// (bench/symbolize.sh): templates, lambdas, inlined helpers, the standard
// library; built -O2 -g. Runs for argv[1] seconds of wall time.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <numeric>
#include <string>
#include <unordered_map>
#include <vector>

namespace symprog {

static volatile unsigned long sink;

template <int N> struct Kernel {
	static inline unsigned long mix(unsigned long x) { return (x ^ (x >> (N % 13 + 1))) * (2 * N + 1); }
	template <typename C> static unsigned long run(C &c, unsigned long seed)
	{
		std::vector<unsigned long> v(64 + N % 50);
		std::generate(v.begin(), v.end(), [&] { return seed = mix(seed + N); });
		std::sort(v.begin(), v.end(), [](unsigned long a, unsigned long b) { return mix(a) < mix(b); });
		c[v[0] % 97] += std::accumulate(v.begin(), v.end(), 0ul, [](unsigned long a, unsigned long b) { return a + mix(b); });
		std::string s = std::to_string(v.back());
		return seed ^ s.size() ^ Kernel<N - 1>::run(c, seed + 1);
	}
};
template <> struct Kernel<0> {
	template <typename C> static unsigned long run(C &c, unsigned long seed) { c[seed % 7]++; return seed; }
};

template <typename K, typename V> struct Table {
	std::map<K, V> m;
	std::unordered_map<K, V> h;
	void add(const K &k, const V &v) { m[k] += v; h[k] ^= v; }
	V sum() const
	{
		V s{};
		for (const auto &kv : m) s += kv.second;
		for (const auto &kv : h) s ^= kv.second;
		return s;
	}
};

template <int... Ns> unsigned long fan(unsigned long seed)
{
	std::unordered_map<unsigned long, unsigned long> c;
	unsigned long r = 0;
	((r ^= Kernel<Ns>::run(c, seed + Ns)), ...);
	Table<unsigned long, unsigned long> t;
	for (auto &kv : c) t.add(kv.first, kv.second);
	return r ^ t.sum();
}

using fn = std::function<unsigned long(unsigned long)>;

static double cpu()
{
	return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

} // namespace symprog

int main(int argc, char **argv)
{
	using namespace symprog;
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	std::vector<fn> work = {
		[](unsigned long s) { return fan<40, 37, 33, 29>(s); },
		[](unsigned long s) { return fan<31, 27, 23, 19, 17>(s); },
		[](unsigned long s) { return fan<45, 43, 41>(s); },
		[](unsigned long s) { return fan<50, 48, 46, 44, 42>(s); },
		[](unsigned long s) { return fan<39, 38, 36, 35, 34, 32, 30, 28, 26, 25>(s); },
	};
	double end = cpu() + secs;
	unsigned long x = 1;
	for (unsigned long i = 0; cpu() < end; i++)
		x = work[i % work.size()](x + i);
	sink = x;
	std::printf("%lu\n", x & 1);
	return 0;
}
