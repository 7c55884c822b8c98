package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
)

// N5.02: every file arkivuttrekk.xml lists has the checksum it gives, and the
// shipped schemas are the official ones byte for byte.

// checkSums compares every file arkivuttrekk.xml lists with its checksum,
// and the shipped schemas with the official ones. sums holds the SHA-256 of
// the XML files the scans already read.
func (v *verifier) checkSums(sums map[string]string) {
	if v.addml == nil {
		return
	}
	for _, f := range v.addml.files {
		if f.checksum == "" {
			continue
		}
		algo := strings.ToUpper(strings.ReplaceAll(f.algorithm, "-", ""))
		if algo != "" && algo != "SHA256" {
			v.add("N5.02", Warning, f.name, "checksum algorithm %q not supported; not checked", clip(f.algorithm))
			continue
		}
		got, ok := sums[f.name]
		if !ok {
			var err error
			got, err = v.fileSHA256(f.name)
			if err != nil {
				continue // N5.01 reported it
			}
		}
		if !strings.EqualFold(got, f.checksum) {
			v.add("N5.02", Error, f.name, "SHA-256 is %s, arkivuttrekk.xml says %s", got, clip(f.checksum))
		} else {
			v.add("N5.02", Info, f.name, "checksum matches")
		}
	}
	v.checkSchemas()
}

// checkSchemas compares the shipped schemas with the official ones.
func (v *verifier) checkSchemas() {
	for _, name := range schemaFiles {
		got, err := v.fileSHA256(name)
		if err != nil {
			continue
		}
		if want := officialSHA256(name); got != want {
			v.add("N5.02", Error, name, "differs from the official Noark 5 v5.0 schema (SHA-256 %s, official %s)", got, want)
		}
	}
}

func (v *verifier) fileSHA256(name string) (string, error) {
	f, err := v.root.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyBuffer(h, &countReader{r: f, v: v}, v.buffer()); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
