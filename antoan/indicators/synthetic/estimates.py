"""Estimates for the denominators no record holds (GBV-01, DV-04), for completed years only.

GBV-01 divides the survivors who sought help by all survivors, which a prevalence survey
estimates. The synthetic estimate is the year's GBV survivors with reporting consent divided by
a help-seeking share rising from 30 % (2021) to 45 % (2025), so GBV-01 comes out at that share:
below the plan's 50 % target, and improving. DV-04 divides the people trained among staff by
the staff working on DV; the estimate is the year's trained staff divided by a coverage rising
from 55 % to 85 % (the target is 90 %), so it grows with the scale's trainings (a few hundred
people in the demo). The current year is left for an analyst.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import transaction

from antoan.indicators.models import Estimate, Indicator
from antoan.indicators.synthetic.common import START, Clock, Rng, tz
from antoan.indicators.synthetic.geography import HUNG_YEN, Geography

GBV_SOURCE = "Ước tính từ điều tra quốc gia về bạo lực đối với phụ nữ 2019 (dữ liệu mô phỏng)"
DV_SOURCE = "Báo cáo đội ngũ làm công tác phòng, chống bạo lực gia đình của tỉnh (dữ liệu mô phỏng)"
DV_METHOD = (
    "Tổng số cán bộ, công chức và cộng tác viên làm công tác phòng, chống bạo lực gia đình ở "
    "cấp tỉnh và cấp xã tại thời điểm 31/12."
)


def help_seeking_share(year: int, rng: Rng) -> float:
    share = 0.30 + 0.0375 * (year - START.year) + rng.uniform(-0.01, 0.01)
    return min(max(share, 0.30), 0.45)


def training_coverage(year: int, rng: Rng) -> float:
    coverage = 0.55 + 0.075 * (year - START.year) + rng.uniform(-0.02, 0.02)
    return min(max(coverage, 0.5), 0.87)


def generate(
    rng: Rng,
    clock: Clock,
    geo: Geography,
    analyst: int,
    consenting: Counter[tuple[str, int]],
    trained: Counter[tuple[str, int]],
    counts: Counter[str],
) -> bool:
    """Province-level estimates for Hưng Yên; False when the indicators are not loaded."""
    # Only the two columns needed: the catalogue's other fields are not this module's business.
    indicators = dict(
        Indicator.objects.filter(code__in=["GBV-01", "DV-04"]).values_list("code", "pk")
    )
    if not indicators or HUNG_YEN not in geo.provinces:
        return False
    place = geo.provinces[HUNG_YEN].today.id
    communes = sum(1 for c in geo.communes if c.province == HUNG_YEN)
    in_force = set(
        Estimate.objects.filter(superseded_at__isnull=True, place_id=place).values_list(
            "indicator_id", "year"
        )
    )
    rows = []
    for year in range(START.year, clock.today.year):
        share = help_seeking_share(year, rng)
        coverage = training_coverage(year, rng)
        if trained[(HUNG_YEN, year)]:
            staff = int(round(trained[(HUNG_YEN, year)] / coverage, -1))
        else:  # no trainings (plan not loaded): a few people a commune and the province's own
            staff = round((2.4 * communes + 50) * (0.85 + 0.04 * (year - START.year)))
        entered = dt.datetime(year + 1, 1, rng.randint(5, 25), 9, rng.randint(0, 59), tzinfo=tz())
        entered = min(entered, clock.cutoff - dt.timedelta(hours=1))
        survivors = consenting[(HUNG_YEN, year)]
        gbv = indicators.get("GBV-01")
        if gbv is not None and (gbv, year) not in in_force:
            method = (
                f"Số người bị bạo lực có đồng ý sử dụng thông tin cho thống kê trong năm "
                f"({survivors}) chia cho tỷ lệ người bị bạo lực tìm kiếm sự trợ giúp ước tính "
                f"({share * 100:.0f}%), làm tròn đến hàng trăm."
            )
            rows.append(
                Estimate(
                    indicator_id=gbv,
                    year=year,
                    place_id=place,
                    value=max(100, int(round(survivors / share, -2))),
                    source=GBV_SOURCE,
                    method=method,
                    entered_by_id=analyst,
                    entered_at=entered,
                )
            )
        dv = indicators.get("DV-04")
        if dv is not None and (dv, year) not in in_force:
            rows.append(
                Estimate(
                    indicator_id=dv,
                    year=year,
                    place_id=place,
                    value=max(staff, 10),
                    source=DV_SOURCE,
                    method=DV_METHOD,
                    entered_by_id=analyst,
                    entered_at=entered + dt.timedelta(minutes=rng.randint(5, 50)),
                )
            )
    with transaction.atomic():
        Estimate.objects.bulk_create(rows)
    counts[Estimate._meta.label] += len(rows)
    return True
