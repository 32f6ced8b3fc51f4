/// Field decoding for 512-byte tar headers and PAX records.
enum TarHeaderFields {
    static func kind(_ type: UInt8) -> TarEntry.Kind {
        switch type {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): return .file
        case UInt8(ascii: "1"): return .hardlink
        case UInt8(ascii: "2"): return .symlink
        case UInt8(ascii: "5"): return .directory
        default: return .other
        }
    }

    /// The stored name: ustar splits long names into prefix (345..<500) + name; GNU's old format
    /// uses that area for other fields, so the prefix is only read for POSIX "ustar\0".
    static func name(_ block: [UInt8]) -> String {
        let name = string(block, 0, 100)
        let isPOSIX = block[257..<263].elementsEqual("ustar\0".utf8)
        guard isPOSIX else { return name }
        let prefix = string(block, 345, 155)
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    static func string(_ block: [UInt8], _ start: Int, _ length: Int) -> String {
        cString(block[start..<(start + length)])
    }

    static func cString(_ bytes: ArraySlice<UInt8>) -> String {
        let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
        return String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
    }

    /// Octal (space/NUL terminated) or GNU base-256 (high bit of the first byte set).
    static func number(_ block: [UInt8], _ start: Int, _ length: Int) -> Int64? {
        let field = block[start..<(start + length)]
        guard let first = field.first else { return nil }
        if first & 0x80 != 0 {
            guard first & 0x40 == 0 else { return nil }  // negative
            var value: Int64 = Int64(first & 0x3F)
            for byte in field.dropFirst() {
                guard value <= (Int64.max >> 8) else { return nil }
                value = value << 8 | Int64(byte)
            }
            return value
        }
        var value: Int64 = 0
        var seenDigit = false
        for byte in field {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard value <= (Int64.max >> 3) else { return nil }
                value = value << 3 | Int64(byte - UInt8(ascii: "0"))
                seenDigit = true
            case UInt8(ascii: " ") where !seenDigit:
                continue
            case 0, UInt8(ascii: " "):
                return value
            default:
                return nil
            }
        }
        return value
    }

    /// The header checksum: the sum of all bytes with the checksum field read as spaces. Some
    /// old writers summed signed bytes, so both sums are accepted.
    static func checksumMatches(_ block: [UInt8]) -> Bool {
        guard let stored = number(block, 148, 8) else { return false }
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for (i, byte) in block.enumerated() {
            let b = (148..<156).contains(i) ? UInt8(ascii: " ") : byte
            unsigned += Int64(b)
            signed += Int64(Int8(bitPattern: b))
        }
        return stored == unsigned || stored == signed
    }

    /// PAX extended header records: "LEN key=value\n", LEN counting the whole record.
    static func paxRecords(_ bytes: [UInt8]) throws -> [String: String] {
        var out: [String: String] = [:]
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0 { break }  // padding NULs
            guard let space = bytes[i...].firstIndex(of: UInt8(ascii: " ")),
                  let length = Int(String(decoding: bytes[i..<space], as: UTF8.self)),
                  length > space - i + 1, i + length <= bytes.count, bytes[i + length - 1] == UInt8(ascii: "\n") else {
                throw AnalysisError.unsupported("malformed PAX extended header record")
            }
            let record = bytes[(space + 1)..<(i + length - 1)]
            if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
                let key = String(decoding: record[record.startIndex..<equals], as: UTF8.self)
                out[key] = String(decoding: record[(equals + 1)...], as: UTF8.self)
            }
            i += length
        }
        return out
    }
}
