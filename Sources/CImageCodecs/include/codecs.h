/// CImageCodecs: the only place that calls libpng, libjpeg and libtiff.
///
/// Every function here catches the libraries' errors itself (setjmp/longjmp stays inside this C
/// file, libjpeg never calls exit), frees everything it allocated on every error path, and
/// reports failure as an IC_* code plus a message written into the caller's buffer. Warnings are
/// never printed (libtiff's handlers are replaced per file; it has no longjmp). Decoding reads from memory and encoding writes to memory; Swift does the file I/O.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Result codes.
enum {
    IC_OK = 0,
    IC_ERR_CORRUPT = 1,      ///< truncated or corrupt data; the message holds the library's words
    IC_ERR_UNSUPPORTED = 2,  ///< a valid file of a kind we do not decode (CMYK JPEG, ...)
    IC_ERR_TOO_LARGE = 3,    ///< declared size over the caller's limits; width/height are filled in
    IC_ERR_NO_MEMORY = 4,    ///< an allocation failed
    IC_ERR_ARGUMENT = 5,     ///< the caller passed inconsistent arguments (a programming error)
};

/// Size of the message buffers the caller passes in.
#define IC_MESSAGE_CAPACITY 256

/// Limits checked before any pixel memory is allocated.
typedef struct {
    uint64_t max_pixels;     ///< refuse width*height above this
    uint32_t max_dimension;  ///< refuse width or height above this
} ic_limits;

/// A decoded image. Pixels are interleaved (HWC), rows tightly packed; 16-bit and 32-bit float
/// samples are in host byte order. For palette images channels == 1 and the samples are palette indices.
typedef struct {
    uint32_t width;
    uint32_t height;
    uint32_t channels;       ///< 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
    uint32_t bit_depth;      ///< 8 or 16, or 32 when is_float
    uint32_t is_float;       ///< TIFF only: 32-bit IEEE float samples (all finite)
    uint32_t is_tiled;       ///< TIFF only: stored in tiles rather than strips
    uint32_t is_planar;      ///< TIFF only: samples stored plane by plane (PLANARCONFIG_SEPARATE)
    uint32_t is_palette;     ///< 1 when samples are palette indices
    uint32_t palette_count;  ///< number of palette entries (0..256)
    uint8_t palette[256 * 4];///< RGBA entries; alpha from tRNS, else 255
    uint32_t orientation;    ///< JPEG EXIF orientation 1..8 (1 when absent or PNG); not applied
    uint32_t is_progressive; ///< JPEG only
    uint32_t is_interlaced;  ///< PNG only (Adam7)
    uint32_t source_bit_depth; ///< bit depth as stored in the file (1,2,4,8,16)
    void *pixels;            ///< malloc'd, width*height*channels*(bit_depth/8) bytes; NULL for header-only
    size_t pixel_bytes;
} ic_image;

/// Decodes a PNG from memory. With header_only != 0 stops after the header (no pixels).
/// On IC_ERR_TOO_LARGE, out->width/height hold the declared size.
int ic_decode_png(const uint8_t *data, size_t size, ic_limits limits, int header_only,
                  ic_image *out, char *message);

/// Decodes a baseline or progressive JPEG (gray or YCbCr/RGB) from memory to gray or RGB,
/// reporting the EXIF orientation without applying it.
int ic_decode_jpeg(const uint8_t *data, size_t size, ic_limits limits, int header_only,
                   ic_image *out, char *message);

/// Decodes the first and only page of a TIFF or BigTIFF from memory: 8/16-bit unsigned or 32-bit
/// float samples, gray, gray+alpha, RGB or RGBA (1-4 samples), chunky or planar, strips or tiles,
/// uncompressed, LZW, Deflate or PackBits. Multi-page files, more than 4 samples, palette and
/// other photometric kinds are IC_ERR_UNSUPPORTED with a message saying so; non-finite float
/// samples are IC_ERR_CORRUPT.
int ic_decode_tiff(const uint8_t *data, size_t size, ic_limits limits, int header_only,
                   ic_image *out, char *message);

/// Frees the pixels of a decoded image (safe on a zeroed or already freed image).
void ic_image_free(ic_image *image);

/// Encodes a PNG. bit_depth 8 with channels 1..4, or 16 with channels 1..4 (host-order samples).
/// With palette_count > 0: channels must be 1, bit_depth 8, samples are indices < palette_count,
/// palette_rgba holds palette_count RGBA entries (alpha < 255 written as tRNS).
/// On success *out is malloc'd (free with ic_buffer_free).
int ic_encode_png(const void *pixels, uint32_t width, uint32_t height, uint32_t channels,
                  uint32_t bit_depth, const uint8_t *palette_rgba, uint32_t palette_count,
                  uint8_t **out, size_t *out_size, char *message);

/// Encodes an 8-bit gray (channels 1) or RGB (channels 3) JPEG at quality 1...100.
int ic_encode_jpeg(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t channels,
                   int quality, uint8_t **out, size_t *out_size, char *message);

/// Encodes a single-page, Deflate-compressed TIFF: 8/16-bit unsigned (is_float 0) or 32-bit float
/// (is_float 1) samples, host order, 1-4 interleaved channels (gray, gray+alpha, RGB, RGBA).
int ic_encode_tiff(const void *pixels, uint32_t width, uint32_t height, uint32_t channels,
                   uint32_t bit_depth, int is_float, uint8_t **out, size_t *out_size, char *message);

/// Frees a buffer returned by an encoder.
void ic_buffer_free(void *buffer);

#ifdef __cplusplus
}
#endif
