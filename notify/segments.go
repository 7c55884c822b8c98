package notify

// Encoding is how an SMS text is coded on the air.
type Encoding string

// The encodings. GSM-7 holds the GSM 03.38 default alphabet (æøå and ÆØÅ
// included) in 7 bits a character; any other character makes the whole text
// UCS-2, 16 bits a code unit.
const (
	GSM7 Encoding = "GSM-7"
	UCS2 Encoding = "UCS-2"
)

// Segments is what an SMS text costs: operators bill per segment.
type Segments struct {
	Encoding Encoding
	// Units is the length in septets (GSM-7, where an extension character
	// such as € or { takes two) or in UTF-16 code units (UCS-2, where an
	// emoji outside the BMP takes two).
	Units int
	// Count is the number of segments: one holds 160 septets or 70 code
	// units; a longer text is split into parts of 153 or 67, as the user
	// data header of a concatenated SMS takes the rest.
	Count int
}

// gsmBasic is the GSM 03.38 default alphabet; gsmExtension is the extension
// table, each of whose characters is sent as ESC plus one septet.
const (
	gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsmExtension = "\f^{}\\[~]|€"
)

var gsmSeptets = func() map[rune]int {
	m := make(map[rune]int, 138)
	for _, r := range gsmBasic {
		m[r] = 1
	}
	for _, r := range gsmExtension {
		m[r] = 2
	}
	return m
}()

// gsmASCII is gsmSeptets for the ASCII range, the common case, without a
// map look-up.
var gsmASCII = func() (t [128]int8) {
	for r, n := range gsmSeptets {
		if r < 128 {
			t[r] = int8(n)
		}
	}
	return t
}()

// size is r's length in septets (GSM-7) or UTF-16 code units (UCS-2); 0 for
// a character GSM-7 cannot hold.
func size(r rune, enc Encoding) int {
	if enc == UCS2 {
		if r >= 0x10000 && r <= 0x10FFFF {
			return 2
		}
		return 1
	}
	if r >= 0 && r < 128 {
		return int(gsmASCII[r])
	}
	return gsmSeptets[r]
}

// CountSegments counts the segments of an SMS text. Parts are filled
// greedily and a character is never split between two parts (an extension
// character's ESC pair, a UTF-16 surrogate pair), as phones reassemble them.
func CountSegments(s string) Segments {
	seg := Segments{Encoding: GSM7}
	for _, r := range s {
		n := size(r, GSM7)
		if n == 0 {
			seg.Encoding, seg.Units = UCS2, 0
			break
		}
		seg.Units += n
	}
	single, part := 160, 153
	if seg.Encoding == UCS2 {
		single, part = 70, 67
		for _, r := range s {
			seg.Units += size(r, UCS2)
		}
	}
	switch {
	case seg.Units == 0:
		return seg
	case seg.Units <= single:
		seg.Count = 1
		return seg
	}
	seg.Count = 1
	used := 0
	for _, r := range s {
		n := size(r, seg.Encoding)
		if used+n > part {
			seg.Count++
			used = 0
		}
		used += n
	}
	return seg
}
