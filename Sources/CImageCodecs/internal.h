// Helpers shared by the PNG and JPEG halves of the shim; not part of the public header.
#pragma once

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "codecs.h"

/// Writes a formatted message into a caller buffer of IC_MESSAGE_CAPACITY bytes.
static inline void ic_set_message(char *message, const char *format, ...) {
    if (message == NULL) return;
    va_list args;
    va_start(args, format);
    vsnprintf(message, IC_MESSAGE_CAPACITY, format, args);
    va_end(args);
}

/// Checks declared dimensions against the limits; fills in out's size and a message when over.
static inline int ic_check_limits(uint64_t width, uint64_t height, ic_limits limits,
                                  ic_image *out, char *message) {
    out->width = (uint32_t)(width > UINT32_MAX ? UINT32_MAX : width);
    out->height = (uint32_t)(height > UINT32_MAX ? UINT32_MAX : height);
    if (width == 0 || height == 0) {
        ic_set_message(message, "image has zero width or height (%llux%llu)",
                       (unsigned long long)width, (unsigned long long)height);
        return IC_ERR_CORRUPT;
    }
    if (width > limits.max_dimension || height > limits.max_dimension) {
        ic_set_message(message, "declared size %llux%llu exceeds the %u-pixel limit per side",
                       (unsigned long long)width, (unsigned long long)height, limits.max_dimension);
        return IC_ERR_TOO_LARGE;
    }
    if (width * height > limits.max_pixels) {
        ic_set_message(message, "declared size %llux%llu = %llu pixels exceeds the limit of %llu pixels",
                       (unsigned long long)width, (unsigned long long)height,
                       (unsigned long long)(width * height), (unsigned long long)limits.max_pixels);
        return IC_ERR_TOO_LARGE;
    }
    return IC_OK;
}

/// True on little-endian hosts, where 16-bit PNG samples need swapping to host order.
static inline int ic_host_is_little_endian(void) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return 1;
#else
    uint16_t probe = 1;
    return *(uint8_t *)&probe == 1;
#endif
}
