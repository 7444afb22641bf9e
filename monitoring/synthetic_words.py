"""Words the synthetic farmers are made of (monitoring/synthetic.py): Bugis, Makassar and common
Indonesian name parts as a KTP writes them, towns of Sulawesi Selatan, dusun and street names.

Every combination is invented; none is meant to be a real person.
"""

from __future__ import annotations

# Put before a man's name: a Bugis noble title, an Arabic first name, "La" (a Bugis man), a hajj.
MALE_FIRST = [
    "ANDI", "MUHAMMAD", "MUH.", "ABDUL", "LA", "BASO", "AMBO", "H.", "", "", "", "", "", "", "",
]
MALE_NAMES = [
    "BAHTIAR", "ARIFIN", "RAHMAN", "SUDIRMAN", "HASANUDDIN", "AMIRUDDIN", "JUMADI", "BACO", "TAHIR",
    "SAMAD", "LATIF", "MAKKASAU", "RAHIM", "PATAHUDDIN", "MUSTAFA", "TENRI AJI", "TENRIRUWA", "SEMMA",
    "SYAMSUL", "SYAHRIR", "NASRULLAH", "AKBAR", "USMAN", "SAHABUDDIN", "MAPPE", "LANTO", "RIDWAN",
    "HAERUL", "IRWAN", "SUKARDI", "JAMALUDDIN", "KAMARUDDIN", "NURDIN", "SALEH", "MAKMUR", "RUSLI",
    "ALIMUDDIN", "SAINAL", "HAMZAH", "ISMAIL", "YUSUF", "SUPARDI", "HERMAN", "ABBAS", "MUSLIMIN",
    "SAPARUDDIN", "BADARUDDIN", "ILHAM", "SULAIMAN", "TAHANG", "LAIDE", "MADDU", "PAWELLANGI", "SENNANG",
    "MAPPIARE", "LOLO", "PABBICARA", "MARZUKI", "ASRUL", "ASWAR", "AHMAD", "SYARIFUDDIN", "ZAINUDDIN",
]
# Put before a woman's name: "Siti/Sitti/St.", a hajjah, "We" and "I" (Bugis women), "Andi".
FEMALE_FIRST = [
    "SITI", "SITTI", "ST.", "HJ.", "NUR", "WE", "I", "ANDI", "", "", "", "", "", "", "", "",
]
FEMALE_NAMES = [
    "HASNAH", "NURHAYATI", "MARLINA", "AMINAH", "RAHMATIAH", "JUMIATI", "NURDIANA", "HASNI", "SUMARNI",
    "ROSMINI", "NURBAYA", "KASMAWATI", "HADIJAH", "BECCE", "TENRI ANGKA", "TENRI SAU", "SANIASA",
    "NURHAEDAH", "MURNIATI", "SAHARIAH", "ROSDIANA", "HARTATI", "RATNA", "NURMIATI", "SUHARTINI",
    "HAWANG", "SUMIATI", "FATIMAH", "SALMAWATI", "HASMAWATI", "ROSMAWATI", "NURJANNAH", "SAMSIAH",
    "JUMRAH", "MASNAH", "INDO TANG", "CIBA", "NURLELA", "HALIMAH", "RUGAYAH", "SAODAH", "ASNIDAR",
    "MUSDALIFAH", "RISNAWATI", "HERAWATI", "KARTINI", "RAHMAWATI", "DARMAWATI", "SUARNI", "ANI",
]
# After a Makassar name: "Daeng" and the daeng name (Gowa, Takalar, Jeneponto, Bantaeng, Maros).
DAENG = ["DAENG NAI", "DAENG TOMPO", "DAENG BELLA", "DAENG NGALLE", "DG. SIJA", "DG. BADDU", "DG. RANI", "DG. TAYU"]
MAKASSAR_REGENCIES = ("73.06", "73.05", "73.04", "73.03", "73.09", "73.71")

TOWNS = [
    "MAKASSAR", "PAREPARE", "PALOPO", "WATAMPONE", "SENGKANG", "SIDRAP", "PINRANG", "BARRU", "MAROS",
    "PANGKEP", "BULUKUMBA", "SINJAI", "ENREKANG", "MAKALE", "MASAMBA", "JENEPONTO", "TAKALAR",
    "SUNGGUMINASA", "BANTAENG", "BENTENG", "MALILI", "RANTEPAO", "WATANSOPPENG", "BELOPA",
]

DUSUN = [
    "LAPPAE", "TANETE", "BULU", "SALO", "UJUNG", "CENRANA", "TOMPO", "PADAELO", "LABURAWUNG", "JAMPUE",
    "ALLAKUANG", "BENTENG", "PACCIRO", "MASAGO", "LALEBATA", "CINNONG", "BALLA", "MATTIRO", "WALIMPONG",
    "BOTTO", "LAMARU", "KAMPIRI", "TAKKALALA", "PAJALESANG", "SEWO", "GALUNG", "BILA", "LEMPA", "ATTANG SALO",
]
STREETS = [
    "POROS", "PAHLAWAN", "MERDEKA", "KEMAKMURAN", "PENDIDIKAN", "SULTAN HASANUDDIN", "ANDI DJEMMA",
    "LAMADDUKELLENG", "AHMAD YANI", "SUDIRMAN", "KARAENG PATTINGALLOANG", "MASJID RAYA", "PASAR SENTRAL",
]
GROUP_WORDS = [
    "SIPAKAINGE", "SIPATUO", "MADDUMMA", "BULU LANGI", "ASSAMATURU", "SIPAKALEBBI", "RESOPA TEMMANGINGNGI",
    "MATTIRO DECENG", "SAMATURU", "SIBATUA", "PADAIDI", "MALLOMO", "TUNAS BARU", "SUBUR MAKMUR", "TANI JAYA",
]

JKK_PLACES = ["SAWAH DUSUN {}", "KEBUN DUSUN {}", "JALAN TANI DUSUN {}", "EMPANG DUSUN {}", "KANDANG DUSUN {}"]
JKK_ACCIDENTS = [
    "Terkena sabit saat memanen padi, luka robek di kaki kiri.",
    "Jatuh dari pohon kelapa saat memetik buah.",
    "Terjatuh dari motor di jalan tani saat membawa gabah.",
    "Tangan terluka terkena mesin perontok padi.",
    "Tergigit ular saat membersihkan pematang sawah.",
    "Terkilir dan patah tulang saat mendorong traktor tangan.",
    "Tersengat lebah saat membersihkan kebun kakao.",
]
JKM_CAUSES = [
    "Meninggal dunia karena sakit di rumah.",
    "Meninggal dunia di rumah sakit setelah dirawat.",
    "Meninggal dunia karena kecelakaan lalu lintas.",
    "Meninggal dunia mendadak saat bekerja di sawah.",
]
CLAIM_REFUSALS = [
    "Kejadian di luar masa perlindungan peserta.",
    "Dokumen pendukung tidak sesuai dengan kronologi.",
    "Kejadian bukan kecelakaan kerja.",
]
BANKS = ["BRI", "BNI", "BANK SULSELBAR", "MANDIRI", "BSI"]
