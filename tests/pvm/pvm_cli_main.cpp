// Test front end: `pvm-cli pvm run ...` behaves as `vp pvm run ...`.
#include "pvm_command.h"

int main(int argc, char** argv) {
    CLI::App app{"pvm-cli: the vp pvm subcommand alone"};
    int code = 0;
    vp::add_pvm_command(app, &code);
    app.require_subcommand(1);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    return code;
}
