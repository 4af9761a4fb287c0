"""Demo palaces, venues, asset records and the two sanatorium rows (idempotent; run by seed_demo)."""

from __future__ import annotations

from decimal import Decimal

from .models import AssetRecord, Facility, FacilityKind, Venue

# key, org key, kind, name, region, address, lat, lng, hours, contact, description, accessibility
FACILITIES = [
    ("hz_palace", "hz", FacilityKind.PALACE, "杭州工人文化宫", "330102", "杭州市上城区解放路 1 号", "30.2530",
     "120.1700", "周二至周日 08:30–21:00，周一闭馆", "0571-87000001",
     "杭州市总工会主办的职工文化活动中心，设舞蹈、书画、声乐教室，剧场、羽毛球馆和职工书屋。",
     "无障碍坡道与电梯直达各层，剧场设轮椅席位 8 个。"),
    ("xihu_centre", "xihu", FacilityKind.PALACE, "西湖区职工文化中心", "330106", "杭州市西湖区文三路 398 号",
     "30.2800", "120.1300", "每天 09:00–20:30", "0571-87000002",
     "西湖区总工会职工之家，开设工间操、摄影、心理健康讲座。", "一楼无障碍卫生间。"),
    ("nb_palace", "nb", FacilityKind.PALACE, "宁波市工人文化宫", "330203", "宁波市海曙区中山西路 18 号", "29.8700",
     "121.5400", "周二至周日 09:00–21:00", "0574-87000003",
     "宁波市总工会职工文化阵地，承办职工技能培训和文艺演出。", "电梯直达，提供助听设备。"),
    ("nj_palace", "nj", FacilityKind.PALACE, "南京市工人文化宫", "320102", "南京市玄武区中山路 148 号", "32.0500",
     "118.7800", "每天 08:30–21:00", "025-87000004", "南京市总工会主办，设游泳馆、图书馆和职工夜校。", ""),
    ("zj_sanatorium", "zj", FacilityKind.SANATORIUM, "浙江省总工会杭州疗休养院", "330106", "杭州市西湖区龙井路 8 号",
     "30.2300", "120.1300", "全年开放", "0571-87000005", "依山傍湖的职工疗休养基地（疗休养业务另行上线）。", ""),
    ("js_sanatorium", "js", FacilityKind.SANATORIUM, "江苏省总工会太湖疗休养院", "320506", "苏州市吴中区太湖路 66 号",
     "31.2000", "120.4000", "全年开放", "0512-87000006", "太湖之滨的职工疗休养院（疗休养业务另行上线）。", ""),
]

VENUES = {
    "hz_palace": [("舞蹈教室", "classroom", 30), ("书画教室", "classroom", 24), ("大剧场", "theatre", 600),
                  ("羽毛球馆 1 号场", "court", 4), ("职工书屋", "library", 80)],
    "xihu_centre": [("多功能厅", "classroom", 60), ("摄影棚", "classroom", 12)],
    "nb_palace": [("技能培训教室", "classroom", 40), ("剧场", "theatre", 400)],
    "nj_palace": [("游泳馆", "pool", 80), ("图书馆", "library", 120)],
}

ASSETS = {  # key: (book value yuan, land m², floor m², built, title, mode)
    "hz_palace": (186_000_000, "12500.00", "28600.00", 1958, "held", "self_run"),
    "xihu_centre": (24_500_000, "0.00", "4200.00", 2009, "in_progress", "self_run"),
    "nb_palace": (98_000_000, "8600.00", "15300.00", 1986, "held", "outsourced"),
    "nj_palace": (142_000_000, "10400.00", "21800.00", 1953, "held", "self_run"),
}


def seed(context: dict) -> None:
    orgs = context["orgs"]
    facilities: dict[str, Facility] = {}
    venues: dict[str, Venue] = {}
    for key, org, kind, name, region, address, lat, lng, hours, contact, description, access in FACILITIES:
        facility, _created = Facility.objects.get_or_create(name=name, defaults=dict(
            kind=kind, organisation=orgs[org], region_code=region, address=address, latitude=Decimal(lat),
            longitude=Decimal(lng), opening_hours=hours, contact=contact, description=description,
            accessibility=access))
        facilities[key] = facility
        for venue_name, venue_kind, capacity in VENUES.get(key, []):
            venue, _ = Venue.objects.get_or_create(facility=facility, name=venue_name,
                                                   defaults={"kind": venue_kind, "capacity": capacity})
            venues[f"{key}:{venue_name}"] = venue
        if key in ASSETS:
            value, land, floor, built, title, mode = ASSETS[key]
            for year, factor in ((2024, 1.0), (2025, 0.97)):
                AssetRecord.objects.get_or_create(facility=facility, year=year, defaults=dict(
                    book_value_fen=int(value * factor) * 100, land_area_m2=Decimal(land),
                    floor_area_m2=Decimal(floor), year_built=built, title_status=title, operating_mode=mode))
    context["facilities"] = facilities
    context["venues"] = venues
