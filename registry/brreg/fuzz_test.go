package brreg_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

func addSamples(f *testing.F) {
	dir := samplesDir
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		f.Fatalf("no seeds in %s: %v", dir, err)
	}
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"organisasjonsnummer":"991825827","slettedato":"2024-13-01"}`))
	f.Add([]byte(`{"rollegrupper":[{"roller":[{"person":{"fodselsnummer":"03851598730"},"type":{"kode":"DAGL"}}]}]}`))
}

// FuzzDecodeEnhet feeds any body through the client's whole decoding path:
// no panic, and a typed error for what does not decode.
func FuzzDecodeEnhet(f *testing.F) {
	addSamples(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		c := must(brreg.New(brreg.Config{BaseURL: "http://brreg.test", MaxAttempts: 1, HTTPClient: registrytest.InProcess(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(body)
		}))}))
		e, err := c.Enhet(context.Background(), registrytest.DigdirOrgnr)
		if err == nil {
			_ = e.Active()
			_ = e.Naeringskoder()
			_ = e.Forretningsadresse.String()
		}
		r, err := c.Roles(context.Background(), registrytest.DigdirOrgnr)
		if err == nil {
			_ = r.ActingRoles(registrytest.Persons()[0].FNR)
			_ = fmt.Sprintf("%v", r)
		}
		for range c.Search(context.Background(), brreg.Query{Navn: "x"}) {
			break
		}
		for range c.Updates(context.Background(), brreg.UpdatesQuery{FromID: 1}) {
		}
	})
}

func FuzzUnmarshalRoller(f *testing.F) {
	addSamples(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var r brreg.Roller
		if json.Unmarshal(body, &r) != nil {
			return
		}
		for _, x := range r.All() {
			_ = x.Current()
			if x.Person != nil {
				_ = x.Person.Navn.String()
			}
		}
	})
}
