// Baseline for the load benchmark: an empty ES module.
export {};
