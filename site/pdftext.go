package site

import (
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// PDFMissing stands in a letter for a character the letter's font cannot
// draw: U+FFFD, the replacement character, which DejaVu Sans draws and
// which text extraction and screen readers read as "a character is missing".
const PDFMissing = '\uFFFD'

// glyphs is the set of BMP characters that both embedded faces (regular and
// bold) draw, one bit per code point. fpdf writes text as 16-bit CIDs, so
// nothing past U+FFFF can be drawn by any font through it.
type glyphs [1 << 16 / 64]uint64

func (g *glyphs) has(r rune) bool {
	return r >= 0 && r <= 0xFFFF && g[r/64]&(1<<(r%64)) != 0
}

var pdfGlyphs = sync.OnceValues(func() (*glyphs, error) {
	var all *glyphs
	for _, name := range pdfFontFiles {
		b, err := fontFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		g, err := cmapGlyphs(b)
		if err != nil {
			return nil, err
		}
		if all == nil {
			all = g
			continue
		}
		for i := range all {
			all[i] &= g[i]
		}
	}
	if !all.has(PDFMissing) {
		return nil, errors.New("site: pdf: the font cannot draw U+FFFD")
	}
	return all, nil
})

var errFont = errors.New("site: pdf: unreadable font cmap")

// cmapGlyphs reads the Windows Unicode BMP subtable (platform 3, encoding
// 1, format 4) of a TrueType font: the table fpdf maps text through.
func cmapGlyphs(font []byte) (*glyphs, error) {
	u16 := func(b []byte, off int) (int, bool) {
		if off < 0 || off+2 > len(b) {
			return 0, false
		}
		return int(binary.BigEndian.Uint16(b[off:])), true
	}
	u32 := func(b []byte, off int) (int, bool) {
		if off < 0 || off+4 > len(b) {
			return 0, false
		}
		return int(binary.BigEndian.Uint32(b[off:])), true
	}
	n, ok := u16(font, 4)
	if !ok {
		return nil, errFont
	}
	cmap := -1
	for i := range n {
		rec := 12 + 16*i
		if rec+16 > len(font) {
			return nil, errFont
		}
		if string(font[rec:rec+4]) == "cmap" {
			cmap, _ = u32(font, rec+8)
		}
	}
	if cmap < 0 || cmap >= len(font) {
		return nil, errFont
	}
	tables, ok := u16(font, cmap+2)
	if !ok {
		return nil, errFont
	}
	sub := -1
	for i := range tables {
		rec := cmap + 4 + 8*i
		p, ok1 := u16(font, rec)
		e, ok2 := u16(font, rec+2)
		off, ok3 := u32(font, rec+4)
		if !ok1 || !ok2 || !ok3 {
			return nil, errFont
		}
		if f, _ := u16(font, cmap+off); p == 3 && e == 1 && f == 4 {
			sub = cmap + off
		}
	}
	if sub < 0 {
		return nil, errFont
	}
	segX2, ok := u16(font, sub+6)
	if !ok || segX2 == 0 {
		return nil, errFont
	}
	ends, starts := sub+14, sub+16+segX2
	deltas, ranges := starts+segX2, starts+2*segX2
	var g glyphs
	for s := 0; s < segX2; s += 2 {
		end, ok1 := u16(font, ends+s)
		start, ok2 := u16(font, starts+s)
		delta, ok3 := u16(font, deltas+s)
		ro, ok4 := u16(font, ranges+s)
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return nil, errFont
		}
		for c := start; c <= end && c < 0xFFFF; c++ {
			gid := (c + delta) & 0xFFFF
			if ro != 0 {
				if gid, ok = u16(font, ranges+s+ro+2*(c-start)); !ok {
					return nil, errFont
				}
				if gid != 0 {
					gid = (gid + delta) & 0xFFFF
				}
			}
			if gid != 0 {
				g[c/64] |= 1 << (c % 64)
			}
		}
	}
	return &g, nil
}

// PDFString makes any text drawable by the letter's font, so that a letter
// never fails on what a citizen typed:
//   - invalid UTF-8 and characters the font lacks (emoji, CJK, anything past
//     U+FFFF) become PDFMissing;
//   - line breaks of every kind (CR LF, CR, NEL, LS, PS) become "\n" and a
//     tab a space;
//   - other control and format characters (NUL, bidi overrides and
//     isolates, zero-width joiners) and variation selectors are dropped:
//     fpdf draws no bidi and no shaping, so they cannot act, and they could
//     only hide or reorder text in a copy taken out of the letter.
//
// Combining marks the font has stay and are drawn over their base.
func PDFString(s string) string {
	g, err := pdfGlyphs()
	if err != nil {
		// The embedded fonts are fixed: a broken one fails every test.
		g = &glyphs{}
	}
	return pdfString(s, func(r rune) bool { return g.has(r) || r == ' ' })
}

// pdfInfoString makes text safe for the document's information dictionary
// (title, author), which is UTF-16 without a font: fpdf's encoder takes
// valid BMP text only.
func pdfInfoString(s string) string {
	return strings.ReplaceAll(pdfString(s, func(r rune) bool { return r <= 0xFFFF }), "\n", " ")
}

func pdfString(s string, drawable func(rune) bool) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteRune(PDFMissing)
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				i++
			}
			b.WriteByte('\n')
		case r == '\n' || r == '\u0085' || r == '\u2028' || r == '\u2029':
			b.WriteByte('\n')
		case r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r) ||
			unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r):
			// dropped
		case drawable(r):
			b.WriteRune(r)
		default:
			b.WriteRune(PDFMissing)
		}
	}
	return b.String()
}
