"""Tests of the routing engine: the OR-Tools step, zones and route-based improvement."""

from __future__ import annotations

import numpy as np

from planner.geo.travel import travel_matrix_s
from planner.routing.improve import improve, total_cost
from planner.routing.ortools_solver import solve_ortools
from planner.routing.problem import Break, Problem, Vehicle
from planner.routing.zones import make_zones
from planner.settings import TravelSettings

DAY = (9 * 3600, 18 * 3600)


def make_problem(
    n: int,
    vehicles: int = 6,
    seed: int = 0,
    breaks: bool = False,
    penalty: int | None = None,
    side_m: float = 2500,
):
    """A depot at the centre and ``n`` shops with 6-minute visits, some with a morning-only window."""
    rng = np.random.default_rng(seed)
    xy = np.vstack([[side_m / 2, side_m / 2], rng.uniform(0, side_m, (n, 2))])
    service = np.r_[0, np.full(n, 360)]
    windows = ((),) + tuple(
        ((DAY[0], 12 * 3600),) if i % 4 == 0 else ((DAY[0], DAY[1] - 360),) for i in range(n)
    )
    lunch = (Break(41_400, 46_800, 3600),) if breaks else ()
    fleet = tuple(Vehicle(0, 0, *DAY, fixed_cost=36_000, breaks=lunch) for _ in range(vehicles))
    pen = None if penalty is None else np.r_[-1, np.full(n, penalty)]
    return Problem(travel_matrix_s(xy, TravelSettings()), service, windows, fleet, penalty=pen, coords=xy)


def check_feasible(problem: Problem, solution) -> None:
    """Assert every route respects windows, travel times and shifts, and visits are served once."""
    seen = [v for r in solution.routes for v in r.visits]
    assert len(seen) == len(set(seen))
    assert set(seen) | set(solution.unassigned) == set(problem.visits)
    for route in solution.routes:
        vehicle = problem.vehicles[route.vehicle]
        travel = problem.travel_of(vehicle)  # each vehicle by its own profile
        previous, ready = vehicle.start, route.depart_s
        assert route.depart_s >= vehicle.shift_start_s
        for node, start in zip(route.visits, route.start_s, strict=True):
            assert start >= ready + travel[previous, node]
            assert any(a <= start <= b for a, b in problem.windows[node]) or not problem.windows[node]
            previous, ready = node, start + problem.service_s[node]
        back = 0 if vehicle.end is None else travel[previous, vehicle.end]
        assert ready + back <= vehicle.shift_end_s


def test_ortools_serves_every_shop_inside_its_window():
    """A small problem is solved with every visit inside its window and the shift."""
    problem = make_problem(40)
    solution = solve_ortools(problem, 2)
    assert solution.unassigned == []
    check_feasible(problem, solution)


def test_lunch_break_is_placed_in_its_window():
    """With a lunch break each used vehicle gets one break between 11:30 and 13:00."""
    problem = make_problem(60, breaks=True)
    solution = solve_ortools(problem, 2, first_solution="LOCAL_CHEAPEST_INSERTION")
    assert solution.routes
    for route in solution.routes:
        assert len(route.breaks_s) == 1
        assert 41_400 <= route.breaks_s[0] <= 46_800


def test_optional_visits_are_dropped_only_when_they_cannot_fit():
    """One vehicle cannot do 200 visits in a day: some are dropped, the rest are feasible."""
    problem = make_problem(200, vehicles=1, penalty=100_000)
    solution = solve_ortools(problem, 2)
    assert 0 < len(solution.unassigned) < 200
    check_feasible(problem, solution)


def test_a_visit_no_shift_covers_is_left_out():
    """A visit whose window lies outside every shift is unassigned rather than breaking the solve."""
    problem = make_problem(10, penalty=100_000)
    windows = list(problem.windows)
    windows[3] = ((20 * 3600, 21 * 3600),)
    problem = Problem(
        problem.travel_s,
        problem.service_s,
        tuple(windows),
        problem.vehicles,
        penalty=problem.penalty,
        coords=problem.coords,
    )
    solution = solve_ortools(problem, 1)
    assert solution.unassigned == [3]


def test_open_routes_end_at_the_last_visit():
    """With end=None the route's end time is the last departure, with no trip back."""
    problem = make_problem(20)
    open_fleet = tuple(Vehicle(0, None, *DAY, fixed_cost=36_000) for _ in range(3))
    problem = Problem(problem.travel_s, problem.service_s, problem.windows, open_fleet, coords=problem.coords)
    solution = solve_ortools(problem, 1)
    for route in solution.routes:
        assert route.arrive_s == route.start_s[-1] + 360


def test_warm_start_never_returns_something_worse():
    """Solving from given routes returns a solution at most as costly."""
    problem = make_problem(60)
    first = solve_ortools(problem, 0.5)
    again = solve_ortools(problem, 1, initial=first)
    assert total_cost(problem, again) <= total_cost(problem, first)


def test_zones_respect_the_size_limit_and_are_deterministic():
    """Zones never exceed max_size and the same seed gives the same zones."""
    xy = np.random.default_rng(3).uniform(0, 10_000, (1000, 2))
    labels = make_zones(xy, 120, seed=1)
    assert np.bincount(labels).max() <= 120
    assert (labels == make_zones(xy, 120, seed=1)).all()


def test_improve_never_makes_a_solution_worse():
    """Route-based decomposition keeps the best solution: its cost never rises."""
    problem = make_problem(250, vehicles=12, side_m=4000)
    start = solve_ortools(problem, 1)
    better = improve(problem, start, 4, seed=1)
    assert total_cost(problem, better) <= total_cost(problem, start)
    check_feasible(problem, better)


def test_improve_stops_when_its_steps_stop_paying():
    """With patience, improvement ends once its last steps together save less than the share asked
    for, long before its budget; without, it uses the budget."""
    problem = make_problem(150, vehicles=10, side_m=3000, seed=4)
    start = solve_ortools(problem, 1)
    steps: list[float] = []
    better = improve(
        problem,
        start,
        60,
        seed=1,
        sub_time_s=0.2,
        progress=lambda *a: steps.append(a[0]),
        patience=2,
        min_gain=1.0,
    )
    assert len(steps) == 2  # no step saves the whole cost: two steps, then it stops
    assert total_cost(problem, better) <= total_cost(problem, start)
    steps.clear()
    improve(problem, start, 3.0, seed=1, sub_time_s=0.2, progress=lambda *a: steps.append(a[0]))
    assert len(steps) > 2


def test_improve_with_large_removal_steps_never_makes_a_solution_worse():
    """Larger steps that try to empty one of the emptiest routes keep every visit and the cost."""
    problem = make_problem(150, vehicles=14, side_m=3000, seed=3)
    start = solve_ortools(problem, 1, first_solution="SAVINGS")
    better = improve(problem, start, 4, seed=2, sub_time_s=0.5, sub_visits=40, removal_growth=2.0)
    assert better.unassigned == []
    assert total_cost(problem, better) <= total_cost(problem, start)
    check_feasible(problem, better)


def two_profile_problem(n: int = 30) -> Problem:
    """Shops up to 6 km out, a walker (default profile) and a driver ("car") from the same depot."""
    rng = np.random.default_rng(5)
    xy = np.vstack([[0.0, 0.0], rng.uniform(-6000, 6000, (n, 2))])
    travel = TravelSettings()
    walk, car = travel_matrix_s(xy, travel, "walk"), travel_matrix_s(xy, travel, "car")
    service = np.r_[0, np.full(n, 360)]
    windows = ((),) + tuple(((DAY[0], DAY[1] - 360),) for _ in range(n))
    fleet = (Vehicle(0, 0, *DAY, fixed_cost=36_000), Vehicle(0, 0, *DAY, fixed_cost=36_000, profile="car"))
    pen = np.r_[-1, np.full(n, 500_000)]
    return Problem(walk, service, windows, fleet, penalty=pen, coords=xy, profiles={"car": car})


def test_each_vehicle_moves_by_its_own_travel_profile():
    """A shop too far to walk to before it closes is served by the driver, on the car's times."""
    xy = np.array([[0.0, 0.0], [6000.0, 0.0]])
    travel = TravelSettings()
    walk, car = travel_matrix_s(xy, travel, "walk"), travel_matrix_s(xy, travel, "car")
    windows = ((), ((DAY[0], DAY[0] + 45 * 60),))  # a walker needs over an hour and a half
    fleet = (Vehicle(0, 0, *DAY), Vehicle(0, 0, *DAY, fixed_cost=36_000, profile="car"))
    problem = Problem(walk, np.array([0, 360]), windows, fleet, coords=xy, profiles={"car": car})
    solution = solve_ortools(problem, 0.3)
    check_feasible(problem, solution)
    (route,) = solution.routes
    assert route.vehicle == 1
    assert route.start_s[0] - route.depart_s < walk[0, 1]


def test_mixed_profiles_solve_feasibly():
    """A walker and a driver share one problem: every route's times hold under its own matrix."""
    problem = two_profile_problem()
    check_feasible(problem, solve_ortools(problem, 0.5))


def test_improvement_keeps_each_vehicle_on_its_own_profile():
    """Route-based improvement re-solves sub-problems with each vehicle's own matrix, never worse."""
    problem = two_profile_problem(40)
    first = solve_ortools(problem, 0.3)
    better = improve(problem, first, 1.5, sub_time_s=0.3, sub_visits=15)
    check_feasible(problem, better)
    assert total_cost(problem, better) <= total_cost(problem, first)


def test_a_search_turns_off_the_operators_it_goes_without():
    """Operators named in ``Search.without`` are off in OR-Tools' parameters; the others keep their default."""
    from ortools.util.optional_boolean_pb2 import BOOL_FALSE, BOOL_TRUE

    from planner.routing.ortools_solver import Search, _Model

    search = Search(metaheuristic="GREEDY_DESCENT", without=("swap_active_chain",))
    params = _Model(make_problem(5, vehicles=1)).parameters(1.0, "LOCAL_CHEAPEST_INSERTION", None, search)
    assert params.local_search_operators.use_swap_active_chain == BOOL_FALSE
    assert params.local_search_operators.use_swap_active == BOOL_TRUE
