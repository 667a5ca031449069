"""Builds the vp Python package's extensions with vp's own CMake build.

The interpreter running pip is the one the extension is built for. Environment:
  VP_BUILD_DIR  reuse an existing vp build tree (configured for this same Python);
                default: a fresh Release build in build-pip/ (about 4 minutes on 2 cores)
  VP_JOBS       parallel build jobs (default 2)
"""
import glob
import os
import shutil
import subprocess
import sys
import sysconfig

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCE = os.path.dirname(os.path.abspath(__file__))
os.makedirs(os.path.join(SOURCE, "build-pip"), exist_ok=True)


class CMakeBuild(build_ext):
    def run(self):
        reuse = os.environ.get("VP_BUILD_DIR")
        build = os.path.abspath(reuse or os.path.join(SOURCE, "build-pip"))
        jobs = os.environ.get("VP_JOBS", "2")
        if not reuse:
            subprocess.check_call(["cmake", "-S", SOURCE, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
                                   "-DVP_BUILD_TESTS=OFF", "-DVP_BUILD_BENCH=OFF",
                                   f"-DPython3_EXECUTABLE={sys.executable}"])
        subprocess.check_call(["cmake", "--build", build, "--target", "vp_python", "-j", jobs])
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        if not os.path.exists(os.path.join(build, "python", "vp", "_vp" + suffix)):
            sys.exit(f"vp: {build} holds no extension for this Python ({sys.executable}, {suffix}): "
                     "configure it for this interpreter, or unset VP_BUILD_DIR")
        # A staging install applies the install RPATH ($ORIGIN first: the
        # libraries are copied next to the extension).
        staging = os.path.join(os.path.abspath(self.build_temp), "staging")
        shutil.rmtree(staging, ignore_errors=True)
        subprocess.check_call(["cmake", "--install", build, "--prefix", staging],
                              stdout=subprocess.DEVNULL)
        package = os.path.join(os.path.abspath(self.build_lib), "vp")
        os.makedirs(package, exist_ok=True)
        site = glob.glob(os.path.join(staging, "lib", "python*", "dist-packages", "vp"))[0]
        for f in glob.glob(os.path.join(site, "_*" + suffix)):
            shutil.copy2(f, package)
        # The libraries under the names the dynamic linker asks for (their SONAMEs,
        # symlinks in lib/), found through the extension's $ORIGIN RPATH.
        for pattern in ("libvp.so.*", "libpvm.so.*"):
            for f in glob.glob(os.path.join(staging, "lib", pattern)):
                if os.path.islink(f):
                    shutil.copy2(os.path.realpath(f), os.path.join(package, os.path.basename(f)))

# setuptools' own scratch space stays out of the CMake build folder build/.
setup(ext_modules=[Extension("vp._vp", sources=[])], cmdclass={"build_ext": CMakeBuild},
      options={"build": {"build_base": os.path.join("build-pip", "setuptools")},
               "egg_info": {"egg_base": "build-pip"}})
