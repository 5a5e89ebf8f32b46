"""Customer profiles: Faker-built pools of names and cities, sampled with NumPy.

Faker makes believable names and cities but is slow row by row (~6k profiles
a second). So for each locale we build pools once — a few hundred first names
per gender, last names, cities and company names — with a Faker instance seeded
by ``seed_instance`` (never today-relative providers), and then draw profiles
from the pools with NumPy: hundreds of thousands per second, reproducible from
the simulation seed. Birth dates are drawn relative to the scenario's start date.

Example
-------
>>> prof = sample_profiles(3, seed=1, locale="zh_CN", start="2023-01-01")
>>> list(prof)
['name', 'gender', 'birth_date', 'city']
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = ["name_pools", "sample_profiles"]

POOL_SEED = 20230101        # pools are fixed per locale and Faker version
POOL_SIZE = 400


@lru_cache(maxsize=None)
def name_pools(locale: str) -> dict[str, np.ndarray]:
    """Pools of first names (by gender), last names, cities and companies for ``locale``.

    Built once per process with Faker seeded by ``seed_instance`` so the pools
    are the same on every machine with the pinned Faker version.
    """
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(POOL_SEED)

    def unique(make, n):
        seen: dict = {}
        for _ in range(n * 4):
            seen.setdefault(make(), None)
            if len(seen) >= n:
                break
        return np.array(list(seen), dtype=object)

    return {
        "first_female": unique(fake.first_name_female, POOL_SIZE),
        "first_male": unique(fake.first_name_male, POOL_SIZE),
        "last": unique(fake.last_name, POOL_SIZE),
        # zh_CN: real city names (Faker's city() also invents "<given name>市");
        # en_US: Faker's invented but plausible town names
        "city": unique((lambda: fake.city_name() + "市") if locale == "zh_CN" else fake.city, 200),
        "company": unique(fake.company, POOL_SIZE),
    }


def sample_profiles(n: int, seed: int, *, locale: str = "en_US",
                    start: str = "2023-01-01", kind: str = "person") -> dict[str, np.ndarray]:
    """Draw ``n`` profiles from the locale's pools.

    Parameters
    ----------
    n : int
        Number of profiles.
    seed : int
        The simulation seed; each field is drawn from its own generator
        (:func:`sim.streams.population_rng`), so person *i*'s profile does not
        depend on the population size.
    locale : {"en_US", "zh_CN"}
        ``zh_CN`` gives Chinese names (family name first, no space) and cities.
    start : date-like
        Simulation start; ages 18–80 (mean ~45) are counted back from it.
    kind : {"person", "firm"}
        Firms get a company name; gender and birth date are missing (None / NaT).

    Returns
    -------
    dict of arrays
        ``name``, ``gender`` ("F"/"M"), ``birth_date`` (datetime64[ns]), ``city``.
    """
    from .streams import PROFILES, population_rng

    def draw(part, pool):
        return pool[population_rng(seed, PROFILES, part).integers(0, len(pool), n)]

    pools = name_pools(locale)
    city = draw(1, pools["city"])
    if kind == "firm":
        name = draw(2, pools["company"])
        return {"name": name, "gender": np.full(n, None, dtype=object),
                "birth_date": np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"), "city": city}
    female = population_rng(seed, PROFILES, 3).random(n) < 0.5
    first = np.where(female, draw(4, pools["first_female"]), draw(5, pools["first_male"]))
    last = draw(6, pools["last"])
    if locale == "zh_CN":
        name = last + first                      # 王 + 芳 -> 王芳
    else:
        name = first + " " + last
    age_years = 18.0 + population_rng(seed, PROFILES, 7).beta(2.0, 2.8, n) * 62.0
    age_days = np.round(age_years * 365.25).astype("int64")
    birth = np.datetime64(pd.Timestamp(start).date(), "D") - age_days.astype("timedelta64[D]")
    return {"name": name, "gender": np.where(female, "F", "M").astype(object),
            "birth_date": birth.astype("datetime64[ns]"), "city": city}
