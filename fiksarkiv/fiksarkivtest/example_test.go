package fiksarkivtest_test

import (
	"fmt"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/fiksarkiv"
	"github.com/grunnmur/grunnmur/fiksarkiv/fiksarkivtest"
)

// Seed stores objects a test refers to; Mapper reads back what the archive
// holds. Serve starts it on its Fiks IO account (Config.FiksIO).
func ExampleArchive_Seed() {
	a := fiksarkivtest.New(fiksarkivtest.Config{})
	a.Seed(fiksarkivtest.Mappe{SystemID: "22f05e04-37c4-4051-8b3a-853c8eac4b33", Saksaar: 2026, Sakssekvensnummer: 17,
		Saksdato: civil.NewDate(2026, 3, 29), Saksmappe: fiksarkiv.Saksmappe{Tittel: "Skjenkebevilling"}})
	m := a.Mapper()[0]
	fmt.Println(m.Saksaar, m.Sakssekvensnummer, m.Saksmappe.Tittel)
	// Output: 2026 17 Skjenkebevilling
}
