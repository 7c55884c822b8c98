package fiksarkivtest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/grunnmur/grunnmur/fiksarkiv"
)

var fuzzTypes = []string{fiksarkiv.TypeArkivmeldingOpprett, fiksarkiv.TypeArkivmeldingOppdater, fiksarkiv.TypeDokumentobjektOpprett,
	fiksarkiv.TypeAvskrivningOpprett, fiksarkiv.TypeAvskrivningSlett, fiksarkiv.TypeSok, fiksarkiv.TypeMappeHent,
	fiksarkiv.TypeRegistreringHent, fiksarkiv.TypeDokumentfilHent}

// FuzzDispatch: whatever request arrives, the archive answers with a reply
// the client can read, never panics, and refuses what it cannot use.
func FuzzDispatch(f *testing.F) {
	cases, _ := filepath.Glob(filepath.Join("..", "testdata", "validator", "*", "*.xml"))
	for i, c := range cases {
		b, err := os.ReadFile(c)
		if err == nil {
			f.Add(uint8(i), b)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, doc []byte) {
		a := New(Config{})
		typ := fuzzTypes[int(which)%len(fuzzTypes)]
		r := a.dispatch(typ, doc, map[string][]byte{"rekvisisjon.pdf": []byte("%PDF")})
		if r == nil || r.typ == "" {
			t.Fatalf("%s: no reply", typ)
		}
		if _, err := fiksarkiv.ParseReply(r.typ, r.payload); err != nil {
			t.Fatalf("%s: the archive's own reply %s does not read: %v", typ, r.typ, err)
		}
	})
}
