package testenv

import "strings"

// Texts are the kinds of text a citizen can type that a font or a format
// cannot simply take, by name: every free-text field that reaches a letter,
// a receipt or an extract is tested with each of them.
var Texts = []struct{ Name, Text string }{
	{"emoji", "Bar 🍺 👨‍👩‍👧 ❤️"},
	{"CJK", "北京烤鸭 東京 서울"},
	{"right-to-left", "שלום مرحبا بالعالم"},
	{"combining marks", "Ma\u0301ne\u0308 Z\u0351\u0308\u0305a\u0300\u0301\u0302l\u0303g\u0304o"},
	{"control characters", "a\x00b\x01c\x1bd\x7fe\u0085f\u2028g\u2029h\r\ni\rj\tk"},
	{"bidi overrides", "abc\u202Efed\u202C \u2066x\u2069 \u200Fy\u200E"},
	{"invalid UTF-8", "Bar \xff\xfe S\xc3 \xe2\x82 \xed\xa0\x80 end"},
	{"private use and noncharacters", "\uE000\uF8FF\uFFFE\uFFFF\U0010FFFF"},
	{"long word", strings.Repeat("Ø", 600)},
}
