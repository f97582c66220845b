#!/usr/bin/env bash
# cpu.sh PID CMD...: run CMD pinned to core 0 and print the CPU seconds PID (all its threads) used meanwhile.
pid=$1; shift; tck=$(getconf CLK_TCK)
cpu() { awk -v t="$tck" '{print ($14+$15)/t}' /proc/$pid/stat; }
c0=$(cpu); t0=$(date +%s.%N)
taskset -c 0 "$@"
c1=$(cpu); t1=$(date +%s.%N)
awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" 'BEGIN{printf "PROXY_CPU_S=%.2f WALL_S=%.2f PROXY_CORE_UTIL=%.2f\n", b-a, e-s, (b-a)/(e-s)}'
