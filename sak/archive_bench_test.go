package sak_test

import (
	"context"
	"fmt"
	"iter"
	"path/filepath"
	"testing"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/sak"
)

// benchCases builds n finished cases (with two or three journal entries and
// documents each) through the workflow.
func benchCases(b *testing.B, n int) ([]*sak.Case, sak.ArchiveOptions) {
	svc, clk := newService()
	store := docs{}
	journey(b, svc, clk, store, n)
	var cs []*sak.Case
	for c, err := range svc.Cases(context.Background(), sak.Filter{}) {
		if err != nil {
			b.Fatal(err)
		}
		cs = append(cs, c)
	}
	return cs, archiveOptions(store, clk)
}

func seq(cs []*sak.Case) iter.Seq2[*sak.Case, error] {
	return func(yield func(*sak.Case, error) bool) {
		for _, c := range cs {
			if !yield(c, nil) {
				return
			}
		}
	}
}

// BenchmarkExportArchive maps and writes 500 cases; the baseline writes the
// same cases already mapped, so the difference is the cost of the mapping.
func BenchmarkExportArchive(b *testing.B) {
	ctx := context.Background()
	cs, o := benchCases(b, 500)
	b.Run("sak.ExportArchive", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			if _, err := sak.ExportArchive(ctx, filepath.Join(b.TempDir(), fmt.Sprint(i)), seq(cs), o); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline/archive.Write", func(b *testing.B) {
		ms := make([]*archive.Saksmappe, 0, len(cs))
		for _, c := range cs {
			if !sak.Exportable(c) {
				continue
			}
			m, err := o.Saksmappe(ctx, c)
			if err != nil {
				b.Fatal(err)
			}
			ms = append(ms, m)
		}
		ex := sak.DefaultExtract("Eksempel kommune", "974760673", map[string]string{"skjenkebevilling": "Skjenkebevillinger"}, o.Now())
		i := 0
		for b.Loop() {
			i++
			_, err := archive.Write(ctx, filepath.Join(b.TempDir(), fmt.Sprint(i)), ex, archive.Options{}, func(yield func(*archive.Saksmappe, error) bool) {
				for _, m := range ms {
					if !yield(m, nil) {
						return
					}
				}
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Saksmappe", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, c := range cs {
				if sak.Exportable(c) {
					if _, err := o.Saksmappe(ctx, c); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
	})
}
