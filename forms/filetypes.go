package forms

import (
	"slices"
	"strings"
	"unicode"

	"github.com/grunnmur/grunnmur/i18n"
)

// fileTypeNames are the names a citizen knows file types by, for the MIME
// types forms accept most often.
var fileTypeNames = map[string]string{
	"application/pdf":    "PDF",
	"image/jpeg":         "JPEG",
	"image/png":          "PNG",
	"image/gif":          "GIF",
	"image/heic":         "HEIC",
	"image/heif":         "HEIF",
	"image/tiff":         "TIFF",
	"image/webp":         "WebP",
	"image/svg+xml":      "SVG",
	"text/plain":         "TXT",
	"text/csv":           "CSV",
	"text/xml":           "XML",
	"application/xml":    "XML",
	"application/json":   "JSON",
	"application/rtf":    "RTF",
	"application/zip":    "ZIP",
	"application/msword": "DOC",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
	"application/vnd.ms-excel": "XLS",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         "XLSX",
	"application/vnd.ms-powerpoint":                                             "PPT",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": "PPTX",
	"application/vnd.oasis.opendocument.text":                                   "ODT",
	"application/vnd.oasis.opendocument.spreadsheet":                            "ODS",
	"application/vnd.oasis.opendocument.presentation":                           "ODP",
	"video/mp4":  "MP4",
	"audio/mpeg": "MP3",
}

// FileTypeName names a MIME type for a citizen, who never sees MIME types:
// "PDF" for application/pdf.
// A type not in fileTypeNames is named by the last part of its subtype, as
// a file extension would: "FOO" for application/vnd.example.foo.
func FileTypeName(mime string) string {
	mime = strings.ToLower(strings.TrimSpace(strings.Split(mime, ";")[0]))
	if n, ok := fileTypeNames[mime]; ok {
		return n
	}
	top, sub, _ := strings.Cut(mime, "/")
	sub, _, _ = strings.Cut(sub, "+")
	sub = strings.TrimPrefix(sub, "x-")
	if i := strings.LastIndexAny(sub, ".-"); i >= 0 && i < len(sub)-1 {
		sub = sub[i+1:]
	}
	for _, n := range []string{sub, top} {
		if n = upperAlnum(n); n != "" {
			return n
		}
	}
	return "?" // not a MIME type at all: Definition refuses it in accept
}

// upperAlnum keeps s's ASCII letters and digits, upper-cased.
func upperAlnum(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return unicode.ToUpper(r)
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return -1
	}, s)
}

// fileTypes lists the accepted types as a citizen reads them: "en PDF",
// "en PDF, en JPEG eller en PNG", "a PDF or a PNG", "an XLSX".
func fileTypes(accept []string, lang i18n.Lang) string {
	var names []string
	for _, a := range accept {
		n := FileTypeName(a)
		article := message("fileArticle", lang)
		if lang == i18n.EN && strings.ContainsAny(n[:1], "AEFHILMNORSX") {
			article = "an" // the letter is said with a vowel first: an HTML, an SVG
		}
		if n := article + " " + n; !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " " + message("or", lang) + " " + names[len(names)-1]
}
