"""Benchmarks of planner's routing engine against OR-Tools, PyVRP and VROOM on public instances."""
