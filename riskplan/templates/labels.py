"""Chinese texts for the input tables: titles, column descriptions, types, units, coded values.

The templates' explanation sheets and ``docs/input-format.zh.md`` take their Chinese from here; the
column names, types, units and allowed values come from :mod:`riskplan.schema` and the Chinese
headers from :mod:`riskplan.io.aliases`. ``tests/test_templates.py`` fails when a column, unit or
allowed value of the schema has no Chinese text here (or one is left over).
"""

from __future__ import annotations

__all__ = ["TABLE_ZH", "COLUMN_ZH", "DTYPE_ZH", "UNIT_ZH", "VALUE_ZH", "METADATA_ZH", "HEADER_ZH"]

TABLE_ZH: dict[str, tuple[str, str]] = {
    "townships": ("乡镇街道", "每行一个乡镇（街道）；边界多边形放在 townships.geojson"),
    "establishments": ("经营主体", "每行一个食品生产经营主体（主体名录）"),
    "stations": ("市场监管所", "检查队伍出发的市场监管所"),
    "officers": ("执法人员", "“双随机”抽取用的执法人员名单"),
    "labs": ("检验机构", "送检样品的检验机构"),
    "history": ("历史抽检结果", "往年抽检结果（建议三年以上）"),
    "results": ("本年度抽检结果", "计划年度截至目前的抽检结果"),
    "complaints": ("投诉举报", "消费者投诉举报"),
    "categories": ("食品类别", "可抽检的食品类别"),
    "business_types": ("业态", "业态及其所属环节"),
    "creation_targets": ("创建指标", "创建方案的量化指标（riskplan monitor 据此评分；可不提供）"),
    "target_actuals": ("创建指标实际值", "创建方案量化指标的实际完成值"),
    "population": ("全区人口", "全区各年份常住人口（任务量按计划年度之前最近一年计算）"),
    "higher_level": ("上级任务", "国家、省、市级抽检任务在本辖区抽取的样品"),
    "inspections": ("检查记录",
                    "计划年度已完成的检查（不抽样），如开学季学校食堂检查（riskplan monitor 据此计算 T25）"),
}
"""Table name -> (Chinese title, what one row is)."""

_COORD = {
    "lon_wgs84": "经度（十进制度）；坐标系见“坐标系”列（空为 WGS-84/GPS）",
    "lat_wgs84": "纬度（十进制度）；坐标系同经度",
    "coord_datum": "经纬度的坐标系：手机 GPS 为 wgs84，高德/腾讯地图为 gcj02，百度地图为 bd09；"
                   "读取时统一换算为 WGS-84；留空按 wgs84",
}

_SAMPLE = {
    "sample_id": "抽样单编号，唯一",
    "sample_date": "抽样日期",
    "establishment_id": "被抽样主体编号（须在经营主体表中）",
    "category_code": "抽检的食品类别代码（须在食品类别表中）",
    "result": "检验结论（fail 即不合格）",
    "hazard": "不合格项目，如 农药残留（合格时留空）",
    "followup_status": "核查处置状态；合格样品无需处置",
    "followup_date": "核查处置完成日期（仅已完成时填写）",
    "programme": "任务类别，如 risk_monitoring（风险监测）、supervision（监督抽检）、"
                 "national（国抽）",
    "result_received_date": "检验结论送达本局的日期；核查处置期限自此起算；"
                            "留空时按抽样日期加检验周期估算并标注",
    "notified_date": "向被抽样单位送达不合格检验结论的日期",
    "retest": "复检：requested（已申请，结果未出）、upheld（复检维持不合格）、"
              "overturned（复检合格，无需处置、不立案）；留空为未复检",
    "case_filed_date": "立案日期",
    "case_closed_date": "结案日期",
}

COLUMN_ZH: dict[str, dict[str, str]] = {
    "townships": {
        "township_code": "9 位统计用区划代码（乡镇级），唯一",
        "name_zh": "中文名称，如 瞿溪街道",
        "name_en": "英文（拼音）名称",
        "kind": "乡镇类型",
        "population": "常住人口",
        "population_source": "人口数来自普查还是估算",
        "area_type": "区域类型，决定路上车速",
        "centroid_lon_wgs84": "中心点经度（WGS-84）；缺少该列时由边界多边形计算",
        "centroid_lat_wgs84": "中心点纬度（WGS-84）",
    },
    "establishments": {
        "establishment_id": "主体编号，唯一，如 OH-E00042",
        "name": "主体名称（中文）",
        "address": "经营地址",
        "township_code": "所在乡镇代码（须在乡镇街道表中）",
        "stage": "所属环节（须与其业态的环节一致）",
        "business_type": "业态代码（须在业态表中）",
        "categories": "经营的食品类别代码，多个用 ; 分隔，至少一个",
        "risk_grade": "风险等级（D 风险最高）",
        "opening_hours": "营业时段 HH:MM-HH:MM，多个用 ; 分隔",
        "licence_no": "许可证编号（摊贩可留空）",
        **_COORD,
        "daily_customers": "日均客流（规模参考）",
    },
    "stations": {
        "station_id": "监管所编号，唯一",
        "name": "监管所名称",
        "township_codes": "辖区乡镇代码，多个用 ; 分隔；每个乡镇恰好属于一个监管所",
        **_COORD,
        "teams": "从该所出发的检查队伍数",
    },
    "officers": {
        "officer_id": "执法人员编号，唯一",
        "name": "姓名",
        "station_id": "所属监管所编号（须在市场监管所表中）",
    },
    "labs": {
        "lab_id": "检验机构编号，唯一",
        "name": "检验机构名称",
        **_COORD,
        "intake_open": "开始收样时间",
        "intake_cutoff": "收样截止时间（易腐样品须在此前送达）",
        "address": "检验机构地址（印在任务单上）",
        "capacity_per_day": "每个工作日最多接收的样品批次；留空表示不限",
        "working_days": "收样的星期，多个用 ; 分隔（mon…sun、1-7 或 周一…周日），仅限辖区工作日；留空表示每个工作日",
    },
    "history": dict(_SAMPLE),
    "results": dict(_SAMPLE),
    "complaints": {
        "complaint_id": "投诉举报编号，唯一",
        "date": "受理日期",
        "establishment_id": "涉及的主体编号（如填写，须在经营主体表中）",
        "township_code": "所在乡镇代码（须在乡镇街道表中）",
        "category_code": "涉及的食品类别代码（如填写，须在食品类别表中）",
        "kind": "投诉类型，如 异物、变质",
    },
    "categories": {
        "category_code": "食品类别代码，唯一，如 C31",
        "name_zh": "中文名称",
        "name_en": "英文名称",
        "group": "类别组",
        "classic_33_category": "所属的国家 33 大类名称",
        "hazard_severity": "典型危害的严重程度（5 最高）",
        "perishable": "是否易腐（需冷链并当天送检）",
        "cost_yuan": "每批次的典型检验费用",
        "units_per_sample": "每批次购样件数（检验 + 2 份备样）",
        "roles": "规则用到的角色，多个用 ; 分隔，如 key product（重点品种）、spring festival food"
                 "（春节食品）；见 docs/roles.md",
        "local_seasons": "本地时令食品，多个用 ; 分隔，格式 名称:月份，如 杨梅 bayberry:6、野生菌:6-9",
    },
    "business_types": {
        "business_type": "业态代码，唯一，如 C-SCHOOL",
        "stage": "所属环节",
        "name_zh": "中文名称",
        "name_en": "英文名称",
        "vulnerable": "是否服务敏感人群（学校、养老机构食堂等）",
        "roles": "规则用到的角色，多个用 ; 分隔，如 school canteen（学校食堂）、wet market"
                 "（农贸市场）；见 docs/roles.md",
        "note": "备注",
    },
    "creation_targets": {
        "target_id": "指标编号，唯一，如 T19",
        "indicator_zh": "指标内容（中文）",
        "indicator_en": "指标内容（英文）",
        "comparator": "实际值与目标值的比较方式",
        "target": "目标值（单位见“单位”列）",
        "unit": "目标值与实际值的单位，如 %",
        "deadline": "完成期限（空为长期指标）",
        "lead_department": "牵头部门",
        "seed_section": "出自创建方案的哪一部分",
    },
    "target_actuals": {
        "target_id": "创建方案指标编号（见创建指标表）",
        "scope": "范围：district（全区）、乡镇代码或部门",
        "actual": "实际完成值",
        "as_of": "数值对应的日期",
        "note": "备注",
    },
    "population": {
        "year": "年份（普查年份或年末）",
        "residents": "全区常住人口（人）",
        "source": "数据来源（公报、普查等）",
    },
    "higher_level": {
        "programme": "上级任务名称，如 national_2026（配置中 kind = \"higher_level\" 的任务说明其计入哪个任务量）",
        "level": "任务层级：national（国家）、provincial（省）、city（市）",
        "township_code": "乡镇代码（须在乡镇街道表中）",
        "business_type": "业态代码（须在业态表中）",
        "category_code": "食品类别代码（须在食品类别表中）",
        "month": "抽样月份（1-12，选填）",
        "samples": "该任务在本辖区抽取的样品批次",
    },
    "inspections": {
        "establishment_id": "被检查主体编号（须在经营主体表中）",
        "date": "检查日期",
        "programme": "检查任务：配置中 kind = \"inspection\" 的任务 id，如 term_start（选填，空为所有检查任务）",
        "outcome": "检查结果，如 合格、责令整改（选填）",
        "note": "备注",
    },
}
"""Table name -> column name -> what the column holds, in Chinese."""

DTYPE_ZH: dict[str, str] = {
    "id": "文本（编号）",
    "str": "文本",
    "int": "整数",
    "float": "数字",
    "bool": "是/否",
    "date": "日期 YYYY-MM-DD",
    "time": "时间 HH:MM",
    "windows": "时段 HH:MM-HH:MM（多个用 ; 分隔）",
    "list": "列表（用 ; 分隔）",
}
"""Column type (:data:`riskplan.schema.DTYPES`) -> its Chinese name."""

UNIT_ZH: dict[str, str] = {
    "persons": "人",
    "persons/day": "人/日",
    "degrees": "度",
    "teams": "队",
    "HH:MM": "时:分",
    "CNY": "元",
    "units": "件",
    "samples": "批次",
}
"""Unit of a column (:attr:`riskplan.schema.Column.unit`) -> Chinese."""

VALUE_ZH: dict[str, dict[str, str]] = {
    "comparator": {">=": "不低于", "<=": "不高于", ">": "高于", "<": "低于"},
    "kind": {"subdistrict": "街道", "town": "镇（乡）"},
    "population_source": {"census": "人口普查", "estimate": "估算"},
    "level": {"national": "国家级", "provincial": "省级", "city": "市级"},
    "area_type": {"urban": "城区", "rural": "农村", "mountain": "山区"},
    "stage": {"production": "生产", "distribution": "流通", "catering": "餐饮"},
    "risk_grade": {"A": "风险低", "B": "风险较低", "C": "风险较高", "D": "风险高"},
    "coord_datum": {"wgs84": "GPS", "gcj02": "高德、腾讯地图", "bd09": "百度地图"},
    "result": {"pass": "合格", "fail": "不合格"},
    "followup_status": {"done": "已完成", "pending": "处置中", "not_required": "无需处置"},
    "retest": {"requested": "复检中", "upheld": "复检维持", "overturned": "复检合格"},
    "group": {"processed": "加工食品", "catering": "餐饮食品", "agricultural": "食用农产品"},
}
"""Column name -> allowed value -> its meaning in Chinese."""

METADATA_ZH: dict[str, str] = {
    "name": "区县名称（文本，必填）",
    "district_code": "6 位行政区划代码（文本，必填）",
    "reference_date": "数据截止日期（TOML 日期，不加引号，必填）",
    "plan_year": "计划与监测的年度（整数，必填）",
    "population_year": "人口数的年份（整数，选填）",
    "synthetic": "合成（非真实）数据表的名称（文本列表，选填）",
    "provenance": "每张表的数据来源说明（文本表，选填）",
}
"""Key of ``dataset.toml`` -> its meaning in Chinese."""

HEADER_ZH: dict[str, dict[str, str]] = {
    "townships": {"name_zh": "中文名称"},
    "establishments": {"name": "主体名称", "business_type": "业态代码"},
    "officers": {"name": "姓名"},
    "labs": {"name": "机构名称"},
    "history": {"category_code": "食品类别代码"},
    "results": {"category_code": "食品类别代码"},
    "complaints": {"date": "投诉日期", "category_code": "食品类别代码", "kind": "投诉类型"},
    "categories": {"category_code": "食品类别代码", "name_zh": "中文名称"},
    "business_types": {"business_type": "业态代码", "name_zh": "中文名称"},
    "higher_level": {"programme": "上级任务", "business_type": "业态代码", "category_code": "食品类别代码"},
    "inspections": {"date": "检查日期", "programme": "检查任务"},
}
"""Table -> column -> the Chinese header a template uses where the first alias in
:data:`riskplan.io.aliases.COLUMN_ALIASES` is not the clearest; each must be such an alias."""
