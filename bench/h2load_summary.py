"""One h2load run as the paired load runs report it: calls/s p50_ms p99_ms cpu_us_per_call.

h2load reports mean and standard deviation, not percentiles, so latency is read from its
per-request log; CPU is the server's utime + stime in 1/100 s before and after the run.
Usage: h2load_summary.py H2LOAD_OUTPUT LATENCY_TSV CPU_TICKS_BEFORE CPU_TICKS_AFTER CALLS
"""
import sys

output, log, before, after, calls = sys.argv[1:6]
# "finished in 2.19s, 91234.56 req/s, 5.23MB/s": the fourth word
rate = next(float(line.split()[3].replace(",", "")) for line in open(output)
            if line.startswith("finished in"))
latencies = sorted(int(line.split("\t")[2]) for line in open(log) if line.strip())
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] / 1000
cpu_us = (int(after) - int(before)) * 10_000 / int(calls)
print(f"{rate:.0f} {pick(0.50):.2f} {pick(0.99):.2f} {cpu_us:.1f}")
