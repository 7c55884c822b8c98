package sitetest_test

import (
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// A service's clock pinned to Sunday 23:30 in Oslo, whatever the machine's
// day and zone, and the other instants a journey should pass at.
func Example() {
	now := sitetest.Clock(time.Date(2026, 12, 6, 23, 30, 0, 0, civil.Oslo))
	fmt.Println(now().In(civil.Oslo).Format("Mon 2006-01-02 15:04"))
	for _, e := range sitetest.Edges() {
		fmt.Println(e.Name, e.At)
	}
	fmt.Println(len(sitetest.Texts()) > 0)
	// Output:
	// Sun 2026-12-06 23:30
	// sunday-2330 2026-12-06T23:30:00+01:00
	// dst-start-0159 2026-03-29T01:59:40+01:00
	// dst-end-0259 2026-10-25T02:59:40+02:00
	// new-years-eve-2350 2026-12-31T23:50:00+01:00
	// easter-monday-1700 2026-04-06T17:00:00+02:00
	// true
}
