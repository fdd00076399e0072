package loopweb

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
)

// photo is a 1200×675 JPEG with some detail, the lead image of every
// article that has a good one.
func photo() []byte {
	im := image.NewRGBA(image.Rect(0, 0, 1200, 675))
	for y := 0; y < 675; y++ {
		for x := 0; x < 1200; x++ {
			im.Set(x, y, color.RGBA{uint8(40 + x*160/1200), uint8(90 + y*120/675), uint8(160 - (x+y)%40), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, im, &jpeg.Options{Quality: 85}); err != nil {
		panic("loopweb: " + err.Error()) // a fixed image into memory
	}
	return b.Bytes()
}

// bomb is a valid PNG whose header claims w×h pixels and whose data is a
// few bytes: a decoder that trusted the header would allocate w×h×4.
func bomb(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data))) // into memory
		b.WriteString(typ)
		b.Write(data)
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		_ = binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}
