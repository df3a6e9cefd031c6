// npm run bench: the benchmark harness. Results go to bench/results/<date>.json with a short table.
console.log('No benchmarks yet.');
