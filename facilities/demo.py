"""Demo palaces, venues, asset records and the two sanatoriums with room types, stay policies and a season
of open nights (idempotent; run by seed_demo)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from .models import AssetRecord, Facility, FacilityKind, RoomNight, RoomType, SanatoriumPolicy, Venue

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
     "30.2300", "120.1300", "全年开放", "0571-87000005",
     "依山傍湖的职工疗休养基地，设单人间、湖景双人间、家庭套房和无障碍客房。", ""),
    ("js_sanatorium", "js", FacilityKind.SANATORIUM, "江苏省总工会太湖疗休养院", "320506", "苏州市吴中区太湖路 66 号",
     "31.2000", "120.4000", "全年开放", "0512-87000006", "太湖之滨的职工疗休养院，家属随行费用由工会承担。", ""),
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
    _seed_rooms(facilities)


# sanatorium key: [(kind, name, rooms, beds, member price fen, companion price fen, description)]
ROOM_TYPES = {
    "zj_sanatorium": [
        ("single", "标准单人间", 20, 1, 18_000, 26_000, "朝南单人间，书桌与独立卫浴。"),
        ("twin", "湖景双人间", 30, 2, 26_000, 32_000, "两张单人床，阳台正对西湖群山。"),
        ("family_suite", "家庭套房", 6, 4, 48_000, 30_000, "一室一厅，可住四人，适合带家属疗休养。"),
        ("accessible", "无障碍客房", 4, 2, 22_000, 26_000, "一楼无障碍客房：宽门、无门槛淋浴、紧急呼叫按钮。"),
    ],
    "js_sanatorium": [
        ("twin", "标准双人间", 40, 2, 22_000, 28_000, "两张单人床，独立卫浴。"),
        ("single", "太湖景观单人间", 15, 1, 20_000, 26_000, "临湖单人间。"),
        ("family_suite", "亲子套房", 5, 3, 40_000, 25_000, "一大一小两张床，适合带孩子。"),
        ("accessible", "无障碍客房", 3, 2, 20_000, 24_000, "电梯直达，卫生间配扶手和淋浴座椅。"),
    ],
}
POLICIES = {  # max nights, horizon days, cancel hours, free nights, member subsidy %, companion subsidy %
    "zj_sanatorium": (14, 120, 48, 7, 50, 0),
    "js_sanatorium": (10, 120, 72, 5, 60, 100),
}
SEASON_DAYS = 150


def _seed_rooms(facilities: dict[str, Facility]) -> None:
    """Room types, policy and the next SEASON_DAYS nights open (loading again on a later day adds the new ones)."""
    today = timezone.localdate()
    for key, specs in ROOM_TYPES.items():
        facility = facilities[key]
        stay, horizon, cancel, free, member_pct, companion_pct = POLICIES[key]
        SanatoriumPolicy.objects.get_or_create(facility=facility, defaults=dict(
            max_stay_nights=stay, booking_horizon_days=horizon, cancel_deadline_hours=cancel,
            free_member_nights_per_year=free, member_subsidy_percent=member_pct,
            companion_subsidy_percent=companion_pct))
        nights = []
        for kind, name, rooms, beds, member_fen, companion_fen, description in specs:
            room_type, _created = RoomType.objects.get_or_create(facility=facility, name=name, defaults=dict(
                kind=kind, rooms=rooms, beds=beds, member_price_fen=member_fen, companion_price_fen=companion_fen,
                description=description))
            nights += [RoomNight(room_type=room_type, date=today + timedelta(days=i), rooms_open=room_type.rooms)
                       for i in range(SEASON_DAYS)]
        RoomNight.objects.bulk_create(nights, ignore_conflicts=True)
