package handlers

import (
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// BenchmarkXLSXWriters writes the same 100,000 register rows (synthetic, the
// export's 28 columns and types) through the streaming writer here and through
// excelize's StreamWriter, to io.Discard, and reports each one's peak heap:
//
//	go test ./handlers -run '^$' -bench XLSXWriters -benchtime 1x
func BenchmarkXLSXWriters(b *testing.B) {
	const n = 100_000
	row := func(i int) []string {
		day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%365).Format("2006-01-02")
		return []string{fmt.Sprintf("R-%06d", i), "Vendor key staff attrition during knowledge transfer", fmt.Sprintf("ENG-%04d", i/25), "Operational",
			"3", "4", "12", "High", "2", "3", "6", "Medium", "no", "Open", "Ana Souza", "ana.souza@example.com", day, "no", "mitigate",
			strings.Repeat("The vendor's team may lose people who know the service. ", 3), "Retention bonus; shadowing; runbooks.", day, "", "",
			"", "", "", strconv.Itoa(i%7 + 1)}
	}
	spec := exportSpec{Filename: "risks", Header: riskColumns, Types: riskTypes, Rows: func(yield func([]string) error) error {
		for i := range n {
			if err := yield(row(i)); err != nil {
				return err
			}
		}
		return nil
	}}
	b.Run("streaming", func(b *testing.B) {
		peak := heapPeak()
		for b.Loop() {
			if err := streamXLSX(io.Discard, spec, time.Now()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(peak(), "peak-heap-MB")
	})
	b.Run("excelize", func(b *testing.B) {
		peak := heapPeak()
		for b.Loop() {
			f := excelize.NewFile()
			sw, err := f.NewStreamWriter("Sheet1")
			if err != nil {
				b.Fatal(err)
			}
			date, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
			header := make([]any, len(riskColumns))
			for i, h := range riskColumns {
				header[i] = h
			}
			_ = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
			if err := sw.SetRow("A1", header); err != nil {
				b.Fatal(err)
			}
			for i := range n {
				r := row(i)
				cells := make([]any, len(r))
				for j, v := range r {
					switch riskTypes[j].kind {
					case kindInt:
						x, _ := strconv.Atoi(v)
						cells[j] = x
					case kindDate:
						if d, err := time.Parse("2006-01-02", v); err == nil {
							cells[j] = excelize.Cell{StyleID: date, Value: d}
						}
					default:
						cells[j] = v
					}
				}
				cell, _ := excelize.CoordinatesToCellName(1, i+2)
				if err := sw.SetRow(cell, cells); err != nil {
					b.Fatal(err)
				}
			}
			if err := sw.Flush(); err != nil {
				b.Fatal(err)
			}
			if err := f.Write(io.Discard); err != nil {
				b.Fatal(err)
			}
			_ = f.Close()
		}
		b.ReportMetric(peak(), "peak-heap-MB")
	})
}

// heapPeak samples the live heap above its level now until the returned
// function is called, which gives the peak in MB.
func heapPeak() func() float64 {
	runtime.GC()
	var base, m runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak uint64
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapAlloc)
			}
		}
	}()
	return func() float64 {
		close(done)
		<-stopped
		return float64(peak-min(peak, base.HeapAlloc)) / (1 << 20)
	}
}
