import Foundation

/// Charts drawn by the server as inline SVG: no script, no external asset, readable without
/// colour (every bar is labelled with its number, and severities differ in lightness too).
enum Charts {
    /// Severity order and colours. The fills go from dark to light as severity falls, so a grey
    /// print keeps them apart; the CSS classes carry the same colours for badges.
    static let severities: [(name: String, fill: String)] = [
        ("CRITICAL", "#67000d"), ("HIGH", "#c2410c"), ("MEDIUM", "#e0a100"), ("LOW", "#8fb8de"), ("NONE", "#ececec"), ("UNKNOWN", "#b8b8b8"),
    ]

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// One horizontal bar per severity, each labelled with its name and count.
    static func severityBars(_ counts: [String: Int], label: String) -> String {
        let rows = severities.map { ($0.name, $0.fill, counts[$0.name] ?? 0) }
        let largest = max(rows.map(\.2).max() ?? 0, 1)
        let width = 320.0, barLeft = 90.0, barSpace = 170.0, rowHeight = 26.0
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(rowHeight * Double(rows.count) + 4))\" role=\"img\" aria-label=\"\(escape(label))\">"
        svg += "<title>\(escape(label))</title>"
        for (index, (name, fill, count)) in rows.enumerated() {
            let y = Double(index) * rowHeight + 2
            let length = count == 0 ? 0 : max(2, barSpace * Double(count) / Double(largest))
            svg += "<text x=\"0\" y=\"\(y + 17)\" class=\"axis\">\(name)</text>"
            svg += "<rect x=\"\(barLeft)\" y=\"\(y + 3)\" width=\"\(format(length))\" height=\"18\" fill=\"\(fill)\" stroke=\"#222\" stroke-width=\"0.5\"><title>\(name): \(count)</title></rect>"
            svg += "<text x=\"\(format(barLeft + length + 6))\" y=\"\(y + 17)\" class=\"value\">\(count)</text>"
        }
        return svg + "</svg>"
    }

    /// Opened (dark, solid) and resolved (light, hatched) findings per day, side by side.
    static func trend(_ days: [(date: String, opened: Int, resolved: Int)], label: String) -> String {
        let height = 120.0, top = 10.0, bottom = 22.0, left = 34.0
        let slot = 14.0
        let width = left + slot * Double(days.count) + 8
        let largest = max(days.map { max($0.opened, $0.resolved) }.max() ?? 0, 1)
        let plot = height - top - bottom
        var svg = "<svg class=\"chart trend\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(label))\">"
        svg += "<title>\(escape(label))</title>"
        svg += "<defs><pattern id=\"hatch\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
        svg += "<rect width=\"4\" height=\"4\" fill=\"#d9f0d3\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"4\" stroke=\"#1b7837\" stroke-width=\"1.5\"/></pattern></defs>"
        svg += "<line x1=\"\(left)\" y1=\"\(top + plot)\" x2=\"\(format(width - 4))\" y2=\"\(top + plot)\" stroke=\"#444\"/>"
        svg += "<text x=\"0\" y=\"\(top + 8)\" class=\"axis\">\(largest)</text><text x=\"0\" y=\"\(top + plot)\" class=\"axis\">0</text>"
        for (index, day) in days.enumerated() {
            let x = left + Double(index) * slot + 1
            for (offset, count, fill, what) in [(0.0, day.opened, "#2d004b", "opened"), (6.0, day.resolved, "url(#hatch)", "resolved")] {
                let barHeight = count == 0 ? 0 : max(1.5, plot * Double(count) / Double(largest))
                svg += "<rect x=\"\(format(x + offset))\" y=\"\(format(top + plot - barHeight))\" width=\"5.5\" height=\"\(format(barHeight))\" fill=\"\(fill)\" stroke=\"#222\" stroke-width=\"0.3\"><title>\(day.date): \(count) \(what)</title></rect>"
            }
            // A date every week, counted back from today so that the last bar is labelled.
            if (days.count - 1 - index) % 7 == 0 {
                svg += "<text x=\"\(format(x))\" y=\"\(format(height - 6))\" class=\"axis small\">\(escape(String(day.date.suffix(5))))</text>"
            }
        }
        return svg + "</svg>"
    }

    private static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
