package bookingtest_test

import (
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/booking/bookingtest"
	"github.com/grunnmur/grunnmur/civil"
)

// Room gives a test a resource to book: weekdays 08–16, one-hour slots.
func ExampleRoom() {
	room := bookingtest.Room(1)
	day := civil.NewDate(2026, 12, 7) // a Monday
	from := day.Start(civil.Oslo)
	slots, err := room.Slots(from, from.Add(24*time.Hour))
	if err != nil {
		panic(err)
	}
	fmt.Println(room.Capacity, room.Price, len(slots), slots[0].Start.In(civil.Oslo).Format("15:04"))
	// Output: 1 250,00 kr 8 08:00
}
