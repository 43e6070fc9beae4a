/* image: a board's kernel, initramfs and device tree made from a Debian package by firmware/mkimage. */
#ifndef RIG_IMAGE_H
#define RIG_IMAGE_H

#include <stddef.h>

struct board_conf;
struct boot_env;
struct boot_image;

/*
 * Makes (or finds in mkimage's cache) the image of kernel package `package` for board c under
 * env->statedir/images/NAME, with the device tree dtb from the package ("": none), and
 * describes it in img. mkimage runs as an argument vector; its progress goes to rigd's stderr.
 * 0, or -1 with err.
 */
int image_make(const struct board_conf *c, const struct boot_env *env, const char *package,
    const char *dtb, struct boot_image *img, char *err, size_t errlen);

#endif
